namespace Billing;

/// <summary>Bound from <c>Billing</c>.</summary>
public sealed class BillingOptions
{
    /// <summary>Default 30 seconds: how often every tenant with limits is evaluated, besides after each metered batch.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 0.8: the share of a budget or hard limit from which the Router is told to prefer cheaper models.</summary>
    public decimal SoftLimitRatio { get; set; } = 0.8m;

    /// <summary>Default 2 minutes: the life of the budget-pressure flag, renewed while it holds.</summary>
    public TimeSpan PressureLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Default 10 seconds: the time a webhook receiver has to answer.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Default none: networks (CIDR, e.g. <c>10.20.0.0/16</c>, <c>127.0.0.1/32</c>) webhooks may reach although they are
    /// not public. Webhooks go only to public addresses otherwise.
    /// </summary>
    public string[] WebhookAllowedNetworks { get; set; } = [];
}
