namespace Orchestrator.Model;

/// <summary>The hosts a tenant's agents may fetch pages from with the built-in <c>http_fetch</c> tool.</summary>
public sealed class FetchAllowList
{
    public Guid TenantId { get; set; }

    /// <summary><c>docs.example.com</c> (that host) or <c>*.example.com</c> (its subdomains, not itself).</summary>
    public List<string> Hosts { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }

    public bool Allows(Uri url) => Hosts.Any(host => host.StartsWith("*.", StringComparison.Ordinal)
        ? url.IdnHost.EndsWith(host[1..], StringComparison.OrdinalIgnoreCase)
        : string.Equals(url.IdnHost, host, StringComparison.OrdinalIgnoreCase));
}
