using Ingestion.Infrastructure;
using Ingestion.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Tenancy;

namespace Knowledge.FunctionalTests;

// Below the API: the services' own DbContext and interceptor, connected as the app role on the real server.
public sealed class RowLevelSecurityTests(PlatformFixture platform)
{
    private readonly Guid _tenantA = Guid.NewGuid();
    private readonly Guid _tenantB = Guid.NewGuid();

    [Fact]
    public async Task AppRole_WithTenantA_ReadsNoneOfTenantBsRows_WithoutWhereClause()
    {
        await InsertAsync(_tenantA, "a.txt");
        await InsertAsync(_tenantB, "b.txt");

        await using var db = Context(_tenantA);
        var visible = await db.Documents.ToListAsync(TestContext.Current.CancellationToken);

        visible.ShouldNotBeEmpty();
        visible.ShouldAllBe(d => d.TenantId == _tenantA);
        (await db.Documents.CountAsync(d => d.TenantId == _tenantB, TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    [Fact]
    public async Task AppRole_WithTenantA_CannotInsertARowForTenantB()
    {
        await using var db = Context(_tenantA);
        db.Documents.Add(NewDocument(_tenantB, "smuggled.txt"));

        var exception = await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));

        exception.InnerException.ShouldBeOfType<PostgresException>().SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }

    [Fact]
    public async Task AppRole_WithNoTenant_ReadsNothing()
    {
        await InsertAsync(_tenantA, "a.txt");

        await using var db = Context(tenantId: null);

        (await db.Documents.CountAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    [Fact]
    public async Task AppRole_IsNeitherSuperuserNorBypassRls()
    {
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("ingestiondb"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);

        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        reader.GetBoolean(0).ShouldBeFalse();
        reader.GetBoolean(1).ShouldBeFalse();
    }

    [Fact]
    public async Task PooledConnection_DoesNotCarryTheLastTenantToTheNext()
    {
        await InsertAsync(_tenantA, "a.txt");
        await using (var first = Context(_tenantA))
        {
            (await first.Documents.CountAsync(TestContext.Current.CancellationToken)).ShouldBeGreaterThan(0);
        }

        await using var next = Context(tenantId: null);

        (await next.Documents.CountAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    private async Task InsertAsync(Guid tenantId, string name)
    {
        await using var db = Context(tenantId);
        db.Documents.Add(NewDocument(tenantId, name));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private IngestionDbContext Context(Guid? tenantId)
    {
        var tenant = new TenantContext();
        if (tenantId is { } id)
        {
            tenant.Enter(id);
        }
        var options = new DbContextOptionsBuilder<IngestionDbContext>()
            .UseNpgsql(platform.App.GetConnectionString("ingestiondb"))
            .AddInterceptors(new TenantConnectionInterceptor(tenant))
            .Options;
        return new IngestionDbContext(options);
    }

    private static Document NewDocument(Guid tenantId, string name) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenantId,
        Name = name,
        ContentType = "text/plain",
        RawContent = System.Text.Encoding.UTF8.GetBytes(name),
        ContentHash = Guid.NewGuid().ToString("N"),
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
