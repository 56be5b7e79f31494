using System.Text.Json;
using NATS.Client.JetStream;
using Platform.Contracts;

namespace Platform.Testing;

/// <summary>
/// Usage events as the Gateway publishes them, made up in bulk with a seed (models, keys, tokens, decimal costs,
/// latencies, cache outcomes and errors in plausible shares), and published straight to the USAGE stream.
/// </summary>
public static class SyntheticUsage
{
    private static readonly (string? Model, string? Provider, decimal InputPrice, decimal OutputPrice)[] Models =
    [
        ("mock/mock-1", "mock", 1m, 2m),
        ("mock/mock-strong", "mock", 5m, 15m),
        ("claude/claude-mock", "claude", 3m, 15m),
        ("llama/llama-mock", "llama", 0m, 0m),
        (null, null, 0m, 0m),
    ];

    public static List<UsageIntegrationEvent> Generate(IReadOnlyList<Guid> tenants, int count, DateTimeOffset start, TimeSpan spread, int seed)
    {
        var random = new Random(seed);
        var keys = tenants.Distinct().ToDictionary(t => t, _ => new[] { NewGuid(random), NewGuid(random), NewGuid(random) });
        var events = new List<UsageIntegrationEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var tenant = tenants[random.Next(tenants.Count)];
            var (model, provider, inputPrice, outputPrice) = Models[random.Next(Models.Length)];
            var cache = model is null ? CacheStatus.None : random.NextDouble() switch
            {
                < 0.20 => CacheStatus.Hit,
                < 0.30 => CacheStatus.SemanticHit,
                < 0.85 => CacheStatus.Miss,
                _ => CacheStatus.Bypass,
            };
            var status = model is null ? 404 : random.NextDouble() switch
            {
                < 0.03 => 429,
                < 0.05 => 502,
                _ => 200,
            };
            var charged = status == 200 && cache is CacheStatus.Miss or CacheStatus.Bypass;
            var input = model is null ? 0 : random.Next(1, 4000);
            var output = charged ? random.Next(0, 1500) : 0;
            events.Add(new UsageIntegrationEvent
            {
                Id = NewGuid(random),
                OccurredAt = start + spread * random.NextDouble(),
                TenantId = tenant,
                KeyId = keys[tenant][random.Next(3)],
                Endpoint = "chat.completions",
                Model = model,
                Provider = provider,
                InputTokens = input,
                OutputTokens = output,
                Cost = charged ? (input * inputPrice + output * outputPrice) / 1_000_000m : 0m,
                InputPricePerMillion = charged ? inputPrice : 0m,
                OutputPricePerMillion = charged ? outputPrice : 0m,
                // Log-normal around 300 ms for provider calls, about a millisecond for cache hits.
                LatencyMs = Math.Exp((cache is CacheStatus.Hit or CacheStatus.SemanticHit ? 0 : Math.Log(300)) + 0.8 * Gaussian(random)),
                Cache = cache,
                Stream = random.Next(2) == 0,
                StatusCode = status,
                ErrorCode = status switch { 404 => "model_not_found", 429 => "rate_limit_exceeded", 502 => "provider_error", _ => null },
            });
        }
        return events;
    }

    /// <summary>Publishes each event under its message id (the Gateway uses the event id; a different one gets past JetStream's dedupe), many at a time, every one acknowledged.</summary>
    public static Task PublishAsync(INatsJSContext jetStream, IEnumerable<(UsageIntegrationEvent Event, string MessageId)> messages, CancellationToken cancellationToken = default) =>
        Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 256, CancellationToken = cancellationToken }, async (message, token) =>
        {
            var ack = await jetStream.PublishAsync(UsageIntegrationEvent.Subject, JsonSerializer.SerializeToUtf8Bytes(message.Event, JsonSerializerOptions.Web),
                opts: new NatsJSPubOpts { MsgId = message.MessageId }, cancellationToken: token);
            ack.EnsureSuccess();
        });

    private static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
