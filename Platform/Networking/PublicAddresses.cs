using System.Net;
using System.Net.Sockets;

namespace Platform.Networking;

/// <summary>
/// Where a tenant's URL (a webhook, an MCP server) may lead: addresses on the public internet, and networks an
/// operator allows (<paramref name="allowedNetworks"/>, CIDR). Otherwise it could reach the platform's own services,
/// the cloud's metadata endpoint or anything else on its network (SSRF). Checked when the URL is set, and again for
/// every connection, on the very address connected to, so a name that resolves elsewhere later is refused too.
/// </summary>
public sealed class PublicAddresses(IEnumerable<string> allowedNetworks, string purpose)
{
    // Not globally reachable (the IANA special-purpose registries): this network, private, shared (carrier NAT),
    // loopback, link-local (cloud metadata at 169.254.169.254), protocol assignments, documentation, benchmarking,
    // multicast and reserved; for IPv6 also NAT64 (which reaches IPv4 inside), unique local and link-local.
    private static readonly IPNetwork[] NotPublic =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
            "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
            "::/127", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    private readonly IPNetwork[] _allowed = [.. allowedNetworks.Select(IPNetwork.Parse)];

    private bool Allows(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return _allowed.Any(network => network.Contains(address)) || !NotPublic.Any(network => network.Contains(address));
    }

    /// <summary>Why <paramref name="url"/> may not be used, or null when it may.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host '{url.Host}' does not resolve.";
        }
        return addresses.FirstOrDefault(address => !Allows(address)) is { } refused
            ? $"The host '{url.Host}' is at {refused}, a private, loopback, link-local or reserved address, where {purpose} may not go."
            : null;
    }

    /// <summary>A connection (a <see cref="SocketsHttpHandler.ConnectCallback"/>): the host resolved here, and only its allowed addresses connected to.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = addresses.Where(Allows).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(
                $"Refused: '{context.DnsEndPoint.Host}' is at {string.Join(", ", addresses.Select(a => a.ToString()))}, where {purpose} may not go (private, loopback, link-local or reserved).");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Literal addresses as they are: DNS refuses some of them (0.0.0.0) with an exception of its own.
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
}
