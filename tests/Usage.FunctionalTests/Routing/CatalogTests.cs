using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Routing.FunctionalTests;

// The catalog's admin API: a model added or changed there reaches the Gateway, the Router and the Orchestrator.
public sealed class CatalogTests(PlatformFixture platform)
{
    [Fact]
    public async Task AModelAddedThroughTheAdminApi_IsListed_Routed_AndServed_UntilRemoved()
    {
        using var admin = platform.CreateAdminClient();
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "catalog", requestsPerMinute = 1000 });
        using var tenant = platform.App.CreateHttpClient("gateway");
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await tenant.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-added" } }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var added = await admin.PutAsJsonAsync("/api/v1/admin/catalog/models/mock/mock-added",
            new { inputPricePerMillion = 3, outputPricePerMillion = 9, contextWindow = 32000, tier = "premium", capabilities = new[] { "tools", "json" }, tags = new[] { "region:eu" } },
            TestContext.Current.CancellationToken);
        added.StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var models = await tenant.GetFromJsonAsync<JsonElement>("/v1/models", TestContext.Current.CancellationToken);
                return models.GetProperty("data").EnumerateArray().Any(m => m.GetProperty("id").GetString() == "mock/mock-added");
            }, "the Gateway to list the new model", TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => await ExpectedCostAsync(tenant) == 3 * 100 / 1e6m + 9 * 300 / 1e6m, "the Router to price the new model", TimeSpan.FromSeconds(10));

            using var chat = await tenant.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"auto","messages":[{"role":"user","content":"hello new model"}]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            chat.StatusCode.ShouldBe(HttpStatusCode.OK);
            chat.Headers.GetValues("x-route").Single().ShouldStartWith("mock/mock-added");

            var catalog = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/catalog", TestContext.Current.CancellationToken);
            var entry = catalog!.Single(p => p.GetProperty("name").GetString() == "mock").GetProperty("models").EnumerateArray()
                .Single(m => m.GetProperty("model").GetProperty("id").GetString() == "mock-added");
            entry.GetProperty("changed").GetBoolean().ShouldBeTrue();
            entry.GetProperty("model").GetProperty("contextWindow").GetInt32().ShouldBe(32000);

            // A price change reaches the Router's decisions.
            (await admin.PutAsJsonAsync("/api/v1/admin/catalog/models/mock/mock-added", new { inputPricePerMillion = 1, outputPricePerMillion = 1, tier = "premium" },
                TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
            await Eventually.TrueAsync(async () => await ExpectedCostAsync(tenant) == 400 / 1e6m, "the Router to see the new price", TimeSpan.FromSeconds(10));
        }
        finally
        {
            (await admin.DeleteAsync("/api/v1/admin/catalog/models/mock/mock-added", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
        await Eventually.TrueAsync(async () =>
        {
            var models = await tenant.GetFromJsonAsync<JsonElement>("/v1/models", TestContext.Current.CancellationToken);
            return models.GetProperty("data").EnumerateArray().All(m => m.GetProperty("id").GetString() != "mock/mock-added");
        }, "the model to be gone", TimeSpan.FromSeconds(10));
        (await admin.DeleteAsync("/api/v1/admin/catalog/models/mock/mock-added", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BadCatalogChanges_AreRefused()
    {
        using var admin = platform.CreateAdminClient();

        var negative = await admin.PutAsJsonAsync("/api/v1/admin/catalog/models/mock/mock-bad", new { inputPricePerMillion = -1, tier = "gold", capabilities = new[] { "telepathy" } }, TestContext.Current.CancellationToken);
        var unknownProvider = await admin.PutAsJsonAsync("/api/v1/admin/catalog/models/nowhere/model", new { tier = "economy" }, TestContext.Current.CancellationToken);
        using var anonymous = platform.App.CreateHttpClient("gateway");
        var unauthorised = await anonymous.PutAsJsonAsync("/api/v1/admin/catalog/models/mock/mock-bad", new { tier = "economy" }, TestContext.Current.CancellationToken);

        negative.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await negative.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        errors.TryGetProperty("price", out _).ShouldBeTrue();
        errors.TryGetProperty("tier", out _).ShouldBeTrue();
        errors.TryGetProperty("capabilities", out _).ShouldBeTrue();
        unknownProvider.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unauthorised.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    // The expected cost of the tenant's first candidate for a 100-token request (300 output tokens assumed).
    private static async Task<decimal?> ExpectedCostAsync(HttpClient tenant)
    {
        var response = await tenant.PostAsJsonAsync("/api/v1/router/decide", new { text = "price check", inputTokens = 100, explain = true }, TestContext.Current.CancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }
        var decision = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return decision.GetProperty("explanation").GetProperty("scores")[0].GetProperty("expectedCost").GetDecimal();
    }
}
