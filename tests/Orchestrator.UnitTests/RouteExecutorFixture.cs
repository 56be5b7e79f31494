using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Services;

namespace Orchestrator.UnitTests;

/// <summary>A route executor over fake providers, with resilience tuned for tests: no retries, short timeouts, a circuit that opens after two failures.</summary>
public abstract class RouteExecutorFixture : IAsyncDisposable
{
    protected static readonly TokenCounter Tokens = new();
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private readonly Lazy<ProviderResilience> _resilience;

    protected RouteExecutorFixture() =>
        _resilience = new(() => new ProviderResilience(Options.Create(Resilience), NullLoggerFactory.Instance, Meters));

    protected FakeProviders Providers { get; } = new();

    protected ResilienceOptions Resilience { get; } = new()
    {
        MaxRetries = 0,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        MinimumThroughput = 2,
        FailureRatio = 0.5,
    };

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    protected RouteExecutor Executor => new(Providers, _resilience.Value, Tokens);

    protected FakeChatClient Provider(string model, FakeChatClient client) => Providers.Clients[model] = client;

    protected static ChatExecutionRequest Request(string strategy, params string[] models) => Request(strategy, new ChatExecutionOptions(), models);

    protected static ChatExecutionRequest Request(string strategy, ChatExecutionOptions options, params string[] models) => new(
        new RoutePlan([.. models.Select(m => new RouteCandidate(m.Split('/')[0], m.Split('/')[1]))], strategy, Hedge: 2),
        [new ChatMessage(ChatRole.User, "What is the capital of Norway?")],
        options);

    protected static IEnumerable<(string Model, string Outcome)> Outcomes(IEnumerable<RouteAttempt> attempts) => attempts.Select(a => (a.Model, a.Outcome));

    public async ValueTask DisposeAsync()
    {
        if (_resilience.IsValueCreated)
        {
            await _resilience.Value.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
