using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace AppHost;

internal static class Ports
{
    /// <summary>
    /// The fixed port users and docs rely on, or, when Aspire.Hosting.Testing asks for random ports, a free one so a
    /// platform under test never meets a running dev instance. Chosen here, not by DCP, so a resource restarted by a
    /// test comes back on the port its clients were given.
    /// </summary>
    public static int? Fixed(IDistributedApplicationBuilder builder, int? port) =>
        builder.Configuration.GetValue<bool>("DcpPublisher:RandomizePorts") ? Free() : port;

    private static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
