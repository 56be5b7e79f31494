using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Gateway.FunctionalTests;

public sealed class OutageTests(PlatformFixture platform)
{
    [Fact]
    public async Task PostgresAway_AnUncachedKey_Gets503WithRetryAfter_InOpenAisShape()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "db-away" });
        await platform.App.StopResourceAsync("postgres");
        HttpResponseMessage response;
        try
        {
            using var http = platform.App.CreateHttpClient("gateway");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            response = await http.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        }
        finally
        {
            await platform.App.StartResourceAsync("postgres");
            // This process's own pooled connections died with the server; later tests must not be handed one.
            NpgsqlConnection.ClearAllPools();
        }

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        error.GetProperty("type").GetString().ShouldBe("service_unavailable");

        // Once it is back, the same key works.
        await Eventually.TrueAsync(async () =>
        {
            using var http = platform.App.CreateHttpClient("gateway");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return (await http.GetAsync("/v1/models", TestContext.Current.CancellationToken)).StatusCode == HttpStatusCode.OK;
        }, "the key to work again");
        foreach (var service in new[] { "gateway", "router", "ingestion", "analytics", "billing" })
        {
            await platform.App.WaitForResourceHealthyAsync(service, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
        await UntilEveryServiceReadsTheDatabaseAsync(key);
    }

    // A service finds the connections the restart broke at its first use of one (then its pool is cleared): use
    // each service's database now, through every Gateway replica, so that no later test meets that first failure.
    // That first failure is the platform's and passing: 503 with Retry-After, never a 500.
    private async Task UntilEveryServiceReadsTheDatabaseAsync(string key)
    {
        var failures = new List<string>();
        async Task<bool> ReadsAsync(HttpClient http, string path)
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            if (!response.IsSuccessStatusCode && (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter is null))
            {
                failures.Add($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            }
            return response.IsSuccessStatusCode;
        }

        foreach (var replica in platform.App.GetReplicaEndpoints("gateway"))
        {
            using var admin = new HttpClient { BaseAddress = replica };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.AdminKey);
            await Eventually.TrueAsync(() => ReadsAsync(admin, "/api/v1/admin/tenants"), $"the Gateway at {replica} to read its database");
        }
        using var tenant = platform.App.CreateHttpClient("gateway");
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var path in new[] { "/api/v1/router/policy", "/api/v1/billing/plans", "/api/v1/ingestion/documents", "/api/v1/analytics/kpis" })
        {
            await Eventually.TrueAsync(() => ReadsAsync(tenant, path), $"{path} to read its database");
        }
        failures.ShouldBeEmpty();
    }
}
