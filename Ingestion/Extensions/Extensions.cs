using Ingestion.Infrastructure;

namespace Ingestion.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration("Ingestion");

        builder.AddNpgsqlDbContext<IngestionDbContext>("ingestiondb");
        builder.AddMigrations<IngestionDbContext>("ingestiondb");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
    }
}
