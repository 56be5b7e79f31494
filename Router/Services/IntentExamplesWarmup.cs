namespace Router.Services;

/// <summary>Embeds the classifier's global examples as the Router starts (about a second of CPU), not at the first decision.</summary>
internal sealed class IntentExamplesWarmup(IntentClassifier classifier) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => classifier.WarmUpAsync();
}
