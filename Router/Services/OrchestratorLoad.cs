using Microsoft.Extensions.Options;

namespace Router.Services;

/// <summary>The Orchestrators' average concurrency as they last reported it (see <see cref="StatsRefresher"/>).</summary>
public sealed class OrchestratorLoad(IOptions<RoutingOptions> options)
{
    public double Concurrency { get; set; }

    public bool Overloaded => Concurrency >= options.Value.OverloadConcurrency;
}
