using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Platform.Messaging;

/// <summary>Creates or updates the platform's streams once per process, and again after a failure.</summary>
public sealed class JetStreamTopology(INatsJSContext jetStream) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _provisioned;

    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (_provisioned)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_provisioned)
            {
                return;
            }
            foreach (var stream in EventStreams.All)
            {
                await jetStream.CreateOrUpdateStreamAsync(new StreamConfig(stream.Name, [stream.Subjects])
                {
                    Storage = StreamConfigStorage.File,
                    Retention = StreamConfigRetention.Limits,
                    MaxAge = stream.MaxAge,
                    // Publishers set the event id as Nats-Msg-Id: a retried publish is stored once.
                    DuplicateWindow = TimeSpan.FromMinutes(2),
                }, cancellationToken);
            }
            _provisioned = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
