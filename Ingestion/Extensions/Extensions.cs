using Ingestion.Infrastructure;
using Ingestion.IntegrationEvents;
using Ingestion.Services;
using Microsoft.Extensions.AI;

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

        builder.Services.AddSingleton<Chunker>();
        // The embedded default: lexical, not neural (see the README); a configured embedding provider comes next.
        builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>, LocalEmbeddingGenerator>();
        builder.Services.AddSingleton<TenantVectorIndex>();
        builder.Services.AddHostedService<VectorIndexListener>();
        // A document that fails three times (1 s, then 2 s later) goes to the dead-letter subject, where it is marked failed.
        builder.AddEventConsumer<DocumentUploadedIntegrationEvent, DocumentJobHandler>(consumer =>
        {
            consumer.Durable = "ingestion-documents";
            consumer.Stream = EventStreams.Ingestion;
            consumer.FilterSubject = DocumentUploadedIntegrationEvent.Subject;
            consumer.MaxAttempts = 3;
            consumer.AckWait = TimeSpan.FromMinutes(2);
        });
        builder.AddEventConsumer<DeadDocumentJobIntegrationEvent, DocumentFailedHandler>(consumer =>
        {
            consumer.Durable = "ingestion-dead-documents";
            consumer.Stream = EventStreams.DeadLetter;
            consumer.FilterSubject = EventStreams.DeadLetterSubject(DocumentUploadedIntegrationEvent.Subject);
        });
    }
}
