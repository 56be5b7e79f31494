using Ingestion.Infrastructure;
using Ingestion.IntegrationEvents;
using Ingestion.Model;
using Ingestion.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.VectorData;
using StackExchange.Redis;

namespace Ingestion.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<IngestionOptions>().BindConfiguration("Ingestion");

        builder.AddTenantDbContext<IngestionDbContext>("ingestiondb");
        builder.AddMigrations<IngestionDbContext>("ingestiondb");
        builder.AddNatsClient("nats");
        // While Redis is away, commands fail at once (a 503, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        // The catalog prices what providers' embedding models do for tenants; without Redis it keeps the configured
        // prices (not the admin API's changes), so Ingestion is only degraded.
        builder.Services.Configure<HealthCheckServiceOptions>(health =>
        {
            foreach (var redis in health.Registrations.Where(check => check.Name == "StackExchange.Redis"))
            {
                redis.FailureStatus = HealthStatus.Degraded;
            }
        });
        builder.AddModelCatalog();
        builder.AddInternalTokenAuthentication();

        builder.Services.AddSingleton<Chunker>();
        builder.AddEmbeddings();
        builder.Services.AddSingleton<EmbeddingMetering>();
        builder.AddVectorStore();

        // A document that fails three times (1 s, then 2 s later) goes to the dead-letter subject, where it is marked failed.
        builder.AddEventConsumer<DocumentUploadedIntegrationEvent, DocumentJobHandler>(consumer =>
        {
            consumer.Durable = "ingestion-documents";
            consumer.Stream = EventStreams.Ingestion;
            consumer.FilterSubject = DocumentUploadedIntegrationEvent.Subject;
            consumer.MaxAttempts = 3;
            consumer.AckWait = TimeSpan.FromMinutes(2);
            // Two documents at a time use both cores of a small node; jobs are pulled only as they are taken.
            consumer.Concurrency = 2;
            consumer.Prefetch = 2;
        });
        builder.AddEventConsumer<DeadDocumentJobIntegrationEvent, DocumentFailedHandler>(consumer =>
        {
            consumer.Durable = "ingestion-dead-documents";
            consumer.Stream = EventStreams.DeadLetter;
            consumer.FilterSubject = EventStreams.DeadLetterSubject(DocumentUploadedIntegrationEvent.Subject);
        });
    }

    /// <summary>The configured embedding model: the local one in process, any other through the Orchestrator.</summary>
    private static void AddEmbeddings(this IHostApplicationBuilder builder)
    {
        var model = builder.Configuration["Ingestion:EmbeddingModel"] ?? new IngestionOptions().EmbeddingModel;
        if (model.Split('/') is not [var provider, var id] || provider.Length == 0 || id.Length == 0)
        {
            throw new InvalidOperationException($"Ingestion:EmbeddingModel is 'provider/model', not '{model}'.");
        }
        if (provider == ModelCatalog.LocalProvider)
        {
            builder.AddLocalEmbeddings(warmUp: true);
            builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(services => services.GetRequiredService<LocalEmbeddingGenerator>());
            return;
        }
        builder.AddInternalTokenIssuer();
        // Embedding a document's batch can take a while on a busy provider; the Orchestrator retries and falls back itself.
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient("orchestrator", client =>
        {
            client.BaseAddress = new Uri("https+http://orchestrator");
            client.Timeout = TimeSpan.FromMinutes(5);
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddScoped<IEmbeddingGenerator<string, Embedding<float>>>(services => new ProviderEmbeddingGenerator(
            services.GetRequiredService<IHttpClientFactory>().CreateClient("orchestrator"),
            services.GetRequiredService<InternalTokenIssuer>(),
            services.GetRequiredService<TenantContext>(),
            provider,
            id));
    }

    /// <summary>Qdrant when a <c>qdrant</c> connection string is set; otherwise PostgreSQL with the in-process index.</summary>
    private static void AddVectorStore(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetConnectionString("qdrant") is not { Length: > 0 })
        {
            builder.Services.AddSingleton<TenantVectorIndex>();
            builder.Services.AddHostedService<VectorIndexListener>();
            builder.Services.AddScoped<VectorStoreCollection<Guid, DocumentChunk>, PostgresChunkCollection>();
            return;
        }
        builder.AddQdrantClient("qdrant");
        builder.Services.AddScoped<VectorStoreCollection<Guid, DocumentChunk>, QdrantChunkCollection>();
    }
}
