using System.Diagnostics;
using System.Text.RegularExpressions;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AppHost;

/// <summary>
/// The console's short version of the dashboard: when everything is up, where the platform answers and with which key;
/// when a resource fails, which one and why (the last lines of its log); when one's health changes later, that change.
/// </summary>
internal sealed partial class ConsoleReport(
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    IHostApplicationLifetime lifetime,
    ILogger<ConsoleReport> logger) : IDistributedApplicationEventingSubscriber
{
    private const int LogLinesOnFailure = 12;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        if (executionContext.IsRunMode)
        {
            eventing.Subscribe<BeforeStartEvent>((start, cancellationToken) =>
            {
                var announced = start.Model.Resources.OfType<ParameterResource>().Where(p => p.Name == "demo-key").ToList();
                _ = Task.Run(() => WatchAsync(announced, lifetime.ApplicationStopping), CancellationToken.None);
                return Task.CompletedTask;
            });
        }
        return Task.CompletedTask;
    }

    private async Task WatchAsync(IReadOnlyList<ParameterResource> announced, CancellationToken stoppingToken)
    {
        var seen = new Dictionary<string, (string? State, HealthStatus? Health)>();
        var urls = new Dictionary<string, string>();
        var ready = false;
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var snapshot = update.Snapshot;
                if (snapshot.ResourceType is "Parameter" || snapshot.State?.Text is null)
                {
                    continue;
                }
                if (snapshot.Urls.FirstOrDefault(url => !url.IsInternal) is { } url)
                {
                    urls[update.Resource.Name] = url.Url;
                }
                var current = (snapshot.State.Text, snapshot.HealthStatus);
                seen.TryGetValue(update.ResourceId, out var previous);
                seen[update.ResourceId] = current;
                if (previous == current)
                {
                    continue;
                }

                if (IsFailure(snapshot) && !stoppingToken.IsCancellationRequested)
                {
                    await ReportFailureAsync(update);
                }
                else if (ready && previous.State == KnownResourceStates.Running && snapshot.State.Text == KnownResourceStates.Running && snapshot.HealthStatus is { } health)
                {
                    Log.HealthChanged(logger, update.Resource.Name, health, string.Join("; ", snapshot.HealthReports.Where(r => r.Status != HealthStatus.Healthy).Select(r => $"{r.Name}: {r.Description ?? r.ExceptionText}")));
                }

                if (!ready && seen.Count > 0 && seen.Values.All(IsReady))
                {
                    ready = true;
                    await ReportReadyAsync(urls, announced, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // Up and healthy, done (a one-shot step that succeeded), or never meant to start on its own (a project's rebuilder).
    private static bool IsReady((string? State, HealthStatus? Health) resource) =>
        resource is { State: "Running", Health: HealthStatus.Healthy } or { State: "Finished" or "NotStarted" };

    private static bool IsFailure(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.FailedToStart
        || snapshot.State?.Text == KnownResourceStates.RuntimeUnhealthy
        || (snapshot.State?.Text is "Exited" or "Finished" && snapshot.ExitCode is not (null or 0));

    private async Task ReportFailureAsync(ResourceEvent update)
    {
        var lines = new List<LogLine>();
        await foreach (var batch in logs.GetAllAsync(update.ResourceId))
        {
            lines.AddRange(batch);
        }
        var exit = update.Snapshot.ExitCode is { } code ? $" (exit code {code})" : "";
        var said = Reason(lines);
        Log.Failed(logger, update.Resource.Name, update.Snapshot.State?.Text, exit,
            said.Count == 0 ? "  (it wrote nothing)" : string.Join(Environment.NewLine, said.Select(line => "  " + line)));
    }

    // What a failed resource said, without stack frames: the first lines that name a failure (the cause is usually among
    // them, not in the shutdown that follows), then its last lines.
    private static List<string> Reason(List<LogLine> lines)
    {
        var text = lines.OrderBy(line => line.LineNumber)
            .Select(line => Decoration().Replace(line.Content, "").Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("at ", StringComparison.Ordinal) && !line.StartsWith("---", StringComparison.Ordinal))
            .ToList();
        return [.. text.Where(line => Failure().IsMatch(line)).Take(LogLinesOnFailure / 2)
            .Concat(text.TakeLast(LogLinesOnFailure / 2))
            .Distinct()];
    }

    private async Task ReportReadyAsync(Dictionary<string, string> urls, IReadOnlyList<ParameterResource> announced, CancellationToken cancellationToken)
    {
        Log.Ready(logger, _clock.Elapsed.TotalSeconds, urls.GetValueOrDefault("gateway"), urls.GetValueOrDefault("web"));
        foreach (var parameter in announced)
        {
            Log.Announced(logger, parameter.Name, await parameter.GetValueAsync(cancellationToken));
        }
    }

    // A log line's timestamp and terminal colours.
    [GeneratedRegex(@"^\S+Z |\x1b\[[0-9;]*m")]
    private static partial Regex Decoration();

    [GeneratedRegex("fail|crit|error|exception|unable|refused|in use|not found|denied|damaged|missing", RegexOptions.IgnoreCase)]
    private static partial Regex Failure();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Every resource is running and healthy, {Seconds:0.0} s after start. The Gateway answers on {Gateway}, the portal on {Portal}. Ctrl+C stops everything.")]
        public static partial void Ready(ILogger logger, double seconds, string? gateway, string? portal);

        [LoggerMessage(2, LogLevel.Information, "{Name}: {Value}")]
        public static partial void Announced(ILogger logger, string name, string? value);

        [LoggerMessage(3, LogLevel.Error, "{Resource} {State}{Exit}. The last lines of its log:\n{Tail}")]
        public static partial void Failed(ILogger logger, string resource, string? state, string exit, string tail);

        [LoggerMessage(4, LogLevel.Warning, "{Resource} is {Health}. {Reasons}")]
        public static partial void HealthChanged(ILogger logger, string resource, HealthStatus health, string reasons);
    }
}
