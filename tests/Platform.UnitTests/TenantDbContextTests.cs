using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Tenancy;

namespace Platform.UnitTests;

public sealed class TenantDbContextTests
{
    [Fact]
    public void AddTenantDbContext_WithoutConnectionString_NamesTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new());

        var exception = Should.Throw<InvalidOperationException>(() => builder.AddTenantDbContext<NotesDbContext>("notesdb"));

        exception.Message.ShouldContain("'ConnectionStrings:notesdb'");
    }

    [Fact]
    public async Task AddTenantDbContext_SetsTheTenantOnEveryConnection_NeverRetries_AndIsHealthChecked()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new());
        builder.Configuration["ConnectionStrings:notesdb"] = "Host=127.0.0.1;Database=notes";

        builder.AddTenantDbContext<NotesDbContext>("notesdb");

        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors.ShouldNotBeNull()
            .ShouldContain(interceptor => interceptor is TenantConnectionInterceptor);
        // The services begin transactions themselves, which a retrying execution strategy refuses.
        context.Database.CreateExecutionStrategy().RetriesOnFailure.ShouldBeFalse();
        host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Select(check => check.Name).ShouldBe([nameof(NotesDbContext)]);
    }

    private sealed class NotesDbContext(DbContextOptions<NotesDbContext> options) : DbContext(options);
}
