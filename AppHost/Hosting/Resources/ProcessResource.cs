using System.Diagnostics;
using AppHost.Hosting.Processes;

namespace AppHost.Hosting.Resources;

/// <summary>A resource that is a local process: prepared, started, watched for health, and stopped by a signal.</summary>
public abstract class ProcessResource(string name) : Resource(name)
{
    private ManagedProcess? _process;

    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>The signal that asks this kind of process for a clean, quick shutdown.</summary>
    private protected virtual int StopSignal => Posix.SigTerm;

    private protected virtual TimeSpan StopGrace => TimeSpan.FromSeconds(10);

    private protected virtual Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    private protected abstract ProcessStartInfo CreateStartInfo(ResourceContext context);

    private protected virtual Task OnHealthyAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        await PrepareAsync(context, cancellationToken);

        var info = CreateStartInfo(context);
        info.Environment["AIPLATFORM_RUN_ID"] = context.RunId;
        var log = context.LogFor(this);
        log.Write($"Starting: {info.FileName} {string.Join(' ', info.ArgumentList)}");
        var process = ManagedProcess.Start(info, log);
        _process = process;
        _ = process.Exited.ContinueWith(exit =>
        {
            if (State is ResourceState.Running or ResourceState.Starting)
            {
                State = ResourceState.Exited;
                Health = ResourceHealth.Unhealthy;
                HealthDescription = $"exited with code {exit.Result}";
                log.Write($"Exited unexpectedly with code {exit.Result}.");
            }
        }, TaskScheduler.Default);

        await context.WaitHealthyAsync(this, () => process.HasExited, cancellationToken);
        await OnHealthyAsync(context, cancellationToken);
        State = ResourceState.Running;
    }

    internal override async Task StopAsync(ResourceContext context)
    {
        if (_process is not { } process)
        {
            return;
        }
        State = ResourceState.Stopping;
        await process.StopAsync(StopSignal, StopGrace);
        process.Dispose();
        _process = null;
        State = ResourceState.Stopped;
        Health = ResourceHealth.Unknown;
        HealthDescription = null;
    }
}
