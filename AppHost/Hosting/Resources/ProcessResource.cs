using System.Diagnostics;
using AppHost.Hosting.Processes;

namespace AppHost.Hosting.Resources;

/// <summary>A resource that is one local process (or several replicas): prepared, started, watched for health, stopped by a signal.</summary>
public abstract class ProcessResource(string name) : Resource(name)
{
    private readonly List<ManagedProcess> _processes = [];

    /// <summary>How many copies run; only services scale out.</summary>
    public virtual int Replicas => 1;

    /// <summary>The signal that asks this kind of process for a clean, quick shutdown.</summary>
    private protected virtual int StopSignal => Posix.SigTerm;

    private protected virtual TimeSpan StopGrace => TimeSpan.FromSeconds(10);

    private protected virtual Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    private protected abstract ProcessStartInfo CreateStartInfo(ResourceContext context, int replica);

    private protected virtual Task OnHealthyAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        await PrepareAsync(context, cancellationToken);

        var log = context.LogFor(this);
        for (var replica = 0; replica < Replicas; replica++)
        {
            var info = CreateStartInfo(context, replica);
            info.Environment["AIPLATFORM_RUN_ID"] = context.RunId;
            log.Write($"Starting{(Replicas > 1 ? $" replica {replica}" : "")}: {info.FileName} {string.Join(' ', info.ArgumentList)}");
            var process = ManagedProcess.Start(info, log);
            _processes.Add(process);
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
        }

        await context.WaitHealthyAsync(this, () => _processes.Exists(p => p.HasExited), cancellationToken);
        await OnHealthyAsync(context, cancellationToken);
        State = ResourceState.Running;
    }

    internal override async Task StopAsync(ResourceContext context)
    {
        if (_processes.Count == 0)
        {
            return;
        }
        State = ResourceState.Stopping;
        await Task.WhenAll(_processes.Select(p => p.StopAsync(StopSignal, StopGrace)));
        _processes.ForEach(p => p.Dispose());
        _processes.Clear();
        State = ResourceState.Stopped;
        Health = ResourceHealth.Unknown;
        HealthDescription = null;
    }
}
