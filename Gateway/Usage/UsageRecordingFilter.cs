using System.Diagnostics;

namespace Gateway.Usage;

/// <summary>
/// Emits exactly one usage event per admitted <c>/v1</c> request, after its response has been sent (streams
/// included), so metering never adds to the client's latency.
/// </summary>
public sealed class UsageRecordingFilter(OutboxPublisher publisher, BudgetGuard budgets, GatewayMetrics metrics, RecentErrors errors, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.TenantKey();
        var runId = http.Features.Get<AgentRunStep>()?.RunId;
        var started = time.GetTimestamp();
        var traceId = Activity.Current?.TraceId.ToHexString();
        var record = new UsageRecord();
        http.Features.Set(record);
        http.Response.OnCompleted(async () =>
        {
            var model = record.Model;
            var charged = record.Charged;
            var usage = new UsageIntegrationEvent
            {
                TenantId = key.TenantId,
                KeyId = key.KeyId,
                Endpoint = Endpoint(http.Request.Path, runId),
                RunId = runId,
                Model = model?.QualifiedId,
                Provider = model?.Provider,
                InputTokens = record.InputTokens,
                OutputTokens = record.OutputTokens,
                Cost = record.CostOf(record.InputTokens, record.OutputTokens),
                InputPricePerMillion = charged ? model!.Model.InputPricePerMillion : 0,
                OutputPricePerMillion = charged ? model!.Model.OutputPricePerMillion : 0,
                LatencyMs = time.GetElapsedTime(started).TotalMilliseconds,
                Cache = record.Cache,
                Stream = record.Stream,
                StatusCode = http.Response.StatusCode,
                ErrorCode = record.ErrorCode,
                TraceId = traceId,
            };
            budgets.Capture(record.Reservation, usage.Cost + (record.CacheEmbedding?.Cost ?? 0));
            metrics.Record(usage);
            if (usage.StatusCode >= StatusCodes.Status400BadRequest)
            {
                errors.Record(usage);
            }
            await publisher.PublishAsync(UsageIntegrationEvent.Subject, usage);
            if (record.CacheEmbedding is { } embedding)
            {
                // A model call of its own, made for the semantic cache (charged on a hit too, which costs nothing else).
                var embedded = usage with
                {
                    Id = Guid.CreateVersion7(),
                    Endpoint = CacheEmbeddingsEndpoint,
                    Model = embedding.Model.QualifiedId,
                    Provider = embedding.Model.Provider,
                    InputTokens = embedding.InputTokens,
                    OutputTokens = 0,
                    Cost = embedding.Cost,
                    InputPricePerMillion = embedding.Model.Model.InputPricePerMillion,
                    OutputPricePerMillion = 0,
                    LatencyMs = embedding.LatencyMs,
                    Cache = CacheStatus.None,
                    Stream = false,
                    StatusCode = StatusCodes.Status200OK,
                    ErrorCode = null,
                };
                metrics.Record(embedded);
                await publisher.PublishAsync(UsageIntegrationEvent.Subject, embedded);
            }
        });
        var result = await next(context);
        // Every refusal is an OpenAI error result: its code is the event's error code.
        if (result is Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<OpenAiErrorResponse> { Value: { } error })
        {
            record.ErrorCode ??= error.Error.Code ?? error.Error.Type;
        }
        return result;
    }

    private const string CacheEmbeddingsEndpoint = "cache.embeddings";

    // An agent run's chat completions are its steps; its other calls keep their endpoint's name and carry the run.
    private static string Endpoint(PathString path, Guid? runId) => path.Value switch
    {
        "/v1/chat/completions" => runId is null ? "chat.completions" : "agent.step",
        "/v1/embeddings" => "embeddings",
        _ => "models",
    };
}
