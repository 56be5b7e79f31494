using System.Threading.RateLimiting;
using Orchestrator.Model;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace Orchestrator.Agents;

/// <summary>
/// One Polly pipeline per tenant, capability version and tool: a bulkhead (calls at once, none queued), a circuit
/// breaker, retries for idempotent tools only, and a timeout per attempt. In this replica's memory, as a breaker is.
/// </summary>
public sealed class ToolResilience : IAsyncDisposable
{
    private readonly ResiliencePipelineRegistry<string> _pipelines = new();
    private readonly Lock _building = new();

    public ResiliencePipeline For(ToolCapability capability, string tool, bool idempotent)
    {
        var key = $"{capability.TenantId}:{capability.Name}:{capability.Version}:{tool}";
        if (_pipelines.TryGetPipeline(key, out var pipeline))
        {
            return pipeline;
        }
        // A breaker joins one pipeline only: the first build of each key is serialised.
        lock (_building)
        {
            return _pipelines.GetOrAddPipeline(key, builder => Build(builder, capability.Policy, idempotent));
        }
    }

    private static void Build(ResiliencePipelineBuilder builder, ToolPolicy policy, bool idempotent)
    {
        builder.AddConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = policy.MaxConcurrency, QueueLimit = 0 });
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = policy.FailureRatio,
            MinimumThroughput = policy.MinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(policy.BreakSeconds),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
        });
        if (idempotent && policy.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.Retries,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
            });
        }
        builder.AddTimeout(TimeSpan.FromSeconds(policy.TimeoutSeconds));
    }

    /// <summary>Why a tool did not answer, in a word for the run's steps.</summary>
    public static string Reason(Exception exception) => exception switch
    {
        BrokenCircuitException => "circuit_open",
        RateLimiterRejectedException => "bulkhead_full",
        TimeoutRejectedException => "timeout",
        _ => "error",
    };

    public ValueTask DisposeAsync() => _pipelines.DisposeAsync();
}
