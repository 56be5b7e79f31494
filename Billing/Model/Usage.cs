namespace Billing.Model;

/// <summary>One metered usage event, kept by id: the ledger that makes metering idempotent and invoices reconcile.</summary>
public sealed class MeteredEvent
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid KeyId { get; set; }

    /// <summary><c>provider/model</c>, or empty when the request reached no model.</summary>
    public string Model { get; set; } = "";

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal Cost { get; set; }

    public decimal InputPricePerMillion { get; set; }

    public decimal OutputPricePerMillion { get; set; }

    public int StatusCode { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>Usage summed per tenant, key and model over a UTC day or month.</summary>
public sealed class UsageCounter
{
    public Guid TenantId { get; set; }

    /// <summary><c>day</c> or <c>month</c>.</summary>
    public required string Period { get; set; }

    public DateOnly PeriodStart { get; set; }

    public Guid KeyId { get; set; }

    public string Model { get; set; } = "";

    public long Requests { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal Cost { get; set; }
}

/// <summary>
/// Tenants Billing has seen, outside row-level security (ids only), so the enforcer can visit every tenant with
/// limits without reading across tenants.
/// </summary>
public sealed class BilledTenant
{
    public Guid TenantId { get; set; }

    /// <summary>Whether it has budgets or a plan with a cap: only those need enforcement state.</summary>
    public bool HasLimits { get; set; }
}
