using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace Orchestrator.Services;

/// <summary>
/// One Polly pipeline per provider-model: retries with exponential backoff and jitter on retryable failures only
/// (honouring a short Retry-After), a circuit breaker (closed → open on a failure ratio → half-open after the break)
/// and a timeout per attempt.
/// </summary>
public sealed class ProviderResilience : IAsyncDisposable
{
    private readonly ResiliencePipelineRegistry<string> _pipelines = new();
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);
    private readonly IOptions<ResilienceOptions> _options;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _building = new();

    public ProviderResilience(IOptions<ResilienceOptions> options, ILoggerFactory loggers, IMeterFactory meters)
    {
        _options = options;
        _loggers = loggers;
        meters.Create(PlatformTelemetry.MeterName).CreateObservableGauge("circuit_breaker_state",
            () => _circuits.Select(c => new Measurement<int>(c.Value.CircuitState switch
            {
                CircuitState.Closed => 0,
                CircuitState.HalfOpen => 1,
                _ => 2,
            }, new KeyValuePair<string, object?>("model", c.Key))),
            description: "Each provider-model's circuit in this instance: 0 closed, 1 half-open, 2 open.");
    }

    // The registry may run the builder twice for concurrent first calls, and a breaker's state provider can join
    // only one pipeline: the first build of each model is serialised.
    public ResiliencePipeline For(string model)
    {
        if (_pipelines.TryGetPipeline(model, out var pipeline))
        {
            return pipeline;
        }
        lock (_building)
        {
            return Build(model);
        }
    }

    private ResiliencePipeline Build(string model) => _pipelines.GetOrAddPipeline(model, builder =>
    {
        var settings = _options.Value;
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ProviderErrors.IsRetryable(ex)),
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
                // A provider's own wait wins when it is short; a long one sends the route to its next candidate instead.
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && ProviderErrors.RetryAfter(ex) is { } wait && wait <= settings.MaxRetryAfter ? wait : (TimeSpan?)null),
            });
        }
        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ProviderErrors.CountsAgainstProvider(ex)),
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                StateProvider = _circuits.GetOrAdd(model, _ => new CircuitBreakerStateProvider()),
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = settings.AttemptTimeout })
            .ConfigureTelemetry(_loggers);
    });

    public CircuitState StateOf(string model) => _circuits.TryGetValue(model, out var circuit) ? circuit.CircuitState : CircuitState.Closed;

    /// <summary>Every circuit seen so far and its state.</summary>
    public IReadOnlyDictionary<string, CircuitState> Circuits => _circuits.ToDictionary(c => c.Key, c => c.Value.CircuitState);

    public ValueTask DisposeAsync() => _pipelines.DisposeAsync();
}
