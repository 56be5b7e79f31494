using System.Text.Json;

namespace Gateway.Apis;

/// <summary>Operators' side of Billing, behind the admin key: custom plans for one tenant, and putting a tenant on one.</summary>
public static class BillingAdminApi
{
    public static RouteGroupBuilder MapBillingAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPut("/billing/plans/{id}", PutCustomPlan);
        admin.MapPut("/tenants/{id:guid}/subscription", Subscribe);
        return admin;
    }

    /// <summary><c>{"tenantId","name","monthlyFee","includedUsage","allowsOverage","softLimit","hardLimit","hardLimitStatus"}</c>.</summary>
    public static Task<IResult> PutCustomPlan(string id, JsonElement plan, BillingClient billing, CancellationToken cancellationToken) =>
        billing.PutAsync($"plans/{Uri.EscapeDataString(id)}", plan, cancellationToken);

    /// <summary><c>{"plan"}</c>: billed from now, prorated on the month's invoice. Rate limits follow the tenant's own plan.</summary>
    public static Task<IResult> Subscribe(Guid id, JsonElement subscription, BillingClient billing, CancellationToken cancellationToken) =>
        billing.PutAsync($"tenants/{id}/subscription", subscription, cancellationToken);
}
