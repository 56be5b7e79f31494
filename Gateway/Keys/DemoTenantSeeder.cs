using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.Keys;

/// <summary>
/// The embedded default: a <c>demo</c> tenant on the enterprise plan with the key the AppHost generated
/// (<c>Gateway:DemoKey</c>), so a fresh platform answers at once. Idempotent, and safe with several Gateways.
/// </summary>
public sealed partial class DemoTenantSeeder(IServiceScopeFactory scopes, OutboxPublisher events, IOptions<GatewayOptions> options, TimeProvider time, ILogger<DemoTenantSeeder> logger) : IHostedService
{
    public const string TenantName = "demo";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.DemoKey is not { Length: > 0 } demoKey)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        try
        {
            var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Name == TenantName, cancellationToken);
            if (tenant is null)
            {
                tenant = new Tenant { Id = Guid.CreateVersion7(), Name = TenantName, Plan = TenantPlans.Enterprise, CreatedAt = time.GetUtcNow() };
                db.Tenants.Add(tenant);
                await db.SaveChangesAsync(cancellationToken);
                await events.PublishAsync(TenantPlanChangedIntegrationEvent.Subject, new TenantPlanChangedIntegrationEvent { TenantId = tenant.Id, Plan = tenant.Plan, OccurredAt = tenant.CreatedAt });
            }

            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenant.Id);
            var hash = ApiKeySecret.Hash(demoKey);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKey
                {
                    Id = Guid.CreateVersion7(),
                    TenantId = tenant.Id,
                    Name = "demo",
                    Prefix = ApiKeySecret.PrefixOf(demoKey),
                    Hash = hash,
                    CreatedAt = time.GetUtcNow(),
                });
                await db.SaveChangesAsync(cancellationToken);
                Log.Seeded(logger, TenantName);
            }
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another Gateway seeded it at the same moment.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Seeded the '{Tenant}' tenant and its key.")]
        public static partial void Seeded(ILogger logger, string tenant);
    }
}
