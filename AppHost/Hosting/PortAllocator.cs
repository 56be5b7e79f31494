using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace AppHost.Hosting;

/// <summary>
/// Chooses ports: <c>Resources:{name}:Port</c> when configured, a free one when <see cref="AppHostOptions.RandomPorts"/> is set,
/// otherwise the resource's default.
/// </summary>
internal sealed class PortAllocator(IConfiguration configuration, bool random)
{
    private readonly List<(string Resource, int Port)> _assigned = [];

    public IReadOnlyList<(string Resource, int Port)> Assigned => _assigned;

    public int Take(string resourceName, int defaultPort, string? endpointName = null)
    {
        var key = endpointName is null ? $"Resources:{resourceName}:Port" : $"Resources:{resourceName}:{endpointName}Port";
        var port = configuration.GetValue<int?>(key) ?? (random ? FreePort() : defaultPort);
        _assigned.Add((endpointName is null ? resourceName : $"{resourceName} ({endpointName})", port));
        return port;
    }

    /// <summary>A free port whatever the settings, for replicas beyond the first.</summary>
    public int TakeFree(string label)
    {
        var port = FreePort();
        _assigned.Add((label, port));
        return port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private int FreePort()
    {
        while (true)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            if (!_assigned.Exists(a => a.Port == port))
            {
                return port;
            }
        }
    }
}
