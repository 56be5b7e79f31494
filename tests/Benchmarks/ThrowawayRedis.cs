using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Benchmarks;

/// <summary>A redis-server of its own on a free port, without persistence, gone when disposed.</summary>
public sealed class ThrowawayRedis(Process process, ConnectionMultiplexer connection) : IDisposable
{
    public ConnectionMultiplexer Connection { get; } = connection;

    public static async Task<ThrowawayRedis> StartAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var process = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        })!;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new ThrowawayRedis(process, await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true"));
            }
            catch (RedisConnectionException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    public void Dispose()
    {
        Connection.Dispose();
        process.Kill();
        process.Dispose();
    }
}
