namespace Platform.Tenancy;

/// <summary>
/// The tenant a unit of work runs for: taken from the validated internal token of a request,
/// or entered explicitly by an event handler from the event it processes. Never from a bare header.
/// </summary>
public sealed class TenantContext
{
    public Guid? TenantId { get; private set; }

    public Guid RequiredTenantId => TenantId ?? throw new InvalidOperationException("No tenant is set for this unit of work.");

    public void Enter(Guid tenantId)
    {
        if (TenantId is { } current && current != tenantId)
        {
            throw new InvalidOperationException($"This unit of work already runs for tenant {current}.");
        }
        TenantId = tenantId;
    }
}
