using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace Orchestrator.Services;

/// <summary>
/// Probes open circuits with a one-token request, so that once the break has passed the half-open trial is this
/// probe rather than a user's request: recovery is noticed, and nobody's answer is the experiment.
/// </summary>
public sealed partial class ProviderProber(ProviderResilience resilience, ProviderClients providers, IOptions<ResilienceOptions> options, ILogger<ProviderProber> logger)
    : BackgroundService
{
    private static readonly ChatMessage[] Probe = [new(ChatRole.User, "ping")];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (model, state) in resilience.Circuits)
            {
                if (state is CircuitState.Open && model.Split('/', 2) is [var provider, var id] && providers.Chat(provider, id) is { } client)
                {
                    await ProbeAsync(model, id, client, stoppingToken);
                }
            }
        }
    }

    private async Task ProbeAsync(string model, string id, IChatClient client, CancellationToken stoppingToken)
    {
        try
        {
            await resilience.For(model).ExecuteAsync(
                async token => await client.GetResponseAsync(Probe, new ChatOptions { ModelId = id, MaxOutputTokens = 1 }, token),
                stoppingToken);
            Log.Recovered(logger, model);
        }
        catch (BrokenCircuitException)
        {
            // Still within its break: the trial comes on a later tick.
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.StillFailing(logger, model, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Model} answered its probe; its circuit is closed again.")]
        public static partial void Recovered(ILogger logger, string model);

        [LoggerMessage(2, LogLevel.Information, "{Model} failed its probe: {Reason}")]
        public static partial void StillFailing(ILogger logger, string model, string reason);
    }
}
