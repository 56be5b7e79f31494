using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.FunctionalTests;

public sealed class RedisOutageTests(PlatformFixture platform)
{
    private static readonly string[] RedisUsers = ["gateway", "router", "orchestrator", "realtime", "billing"];
    private static readonly string[] Others = ["analytics"];

    [Fact]
    public async Task StoppingRedis_TurnsItsUsersUnhealthy_WithoutCrashingThem_AndTheyRecover()
    {
        await platform.App.StopResourceAsync("redis");
        try
        {
            foreach (var service in RedisUsers)
            {
                await Eventually.TrueAsync(async () => await RedisCheckAsync(service) == "Unhealthy", $"{service} to report Redis down");
                using var http = platform.App.CreateHttpClient(service);
                (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
                (await http.GetAsync("/alive", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK, $"{service} is still alive");
            }
            foreach (var service in Others)
            {
                using var http = platform.App.CreateHttpClient(service);
                (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
            // Ingestion reads only prices from Redis, and works on: degraded, still ready.
            await Eventually.TrueAsync(async () => await RedisCheckAsync("ingestion") == "Degraded", "ingestion to report Redis down");
            using (var ingestion = platform.App.CreateHttpClient("ingestion"))
            {
                (await ingestion.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
            // And so says the platform's health, as operators see it.
            using var admin = platform.CreateAdminClient();
            var platformHealth = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/health", TestContext.Current.CancellationToken);
            platformHealth.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("name").GetString() == "ingestion")
                .ShouldAllBe(r => r.GetProperty("status").GetString() == "degraded");
        }
        finally
        {
            await platform.App.StartResourceAsync("redis");
        }

        foreach (var service in RedisUsers)
        {
            await Eventually.TrueAsync(async () =>
            {
                using var http = platform.App.CreateHttpClient(service);
                return (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode == HttpStatusCode.OK;
            }, $"{service} to recover");
        }
    }

    private async Task<string?> RedisCheckAsync(string service)
    {
        using var http = platform.App.CreateHttpClient(service);
        using var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return report.RootElement.GetProperty("checks").GetProperty("StackExchange.Redis").GetProperty("status").GetString();
    }
}
