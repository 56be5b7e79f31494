using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AppHost.Tests;

// The developer's experience of ./eng/run.sh: the AppHost as its own process, its console, its data folder. (Starts
// that fail are in AppHostStartFailureTests, a class of their own so that they run beside this one.)
public sealed class AppHostTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_ServesHealth_StopsEverythingOnCtrlC_AndTheNextRunReusesTheData()
    {
        using var data = new ThrowawayDataDirectory();
        string tenantName = $"kept-{Guid.NewGuid():N}"[..20];

        using (var first = AppHostProcess.Start(data.Path))
        {
            await first.WaitUntilReadyAsync();
            first.RunningProcesses(data.Path).Count.ShouldBeGreaterThanOrEqualTo(12, "DCP, postgres, redis, nats and eight services");
            using var http = new HttpClient { BaseAddress = first.GatewayUrl };
            (await http.GetAsync("/health", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK);

            var demoKey = (await File.ReadAllTextAsync(Path.Combine(data.Path, "demo-key"), Cancellation)).Trim();
            demoKey.ShouldStartWith("sk-aip-");
            first.Output.ShouldContain($"demo-key: {demoKey}");
            first.Output.ShouldContain("Login to the dashboard at http://localhost:");
            (await CreateTenantAsync(first.GatewayUrl, data.Path, tenantName)).StatusCode.ShouldBe(HttpStatusCode.Created);

            first.Interrupt();

            (await first.WaitForExitAsync()).ShouldBe(0);
            await ShouldAllEndAsync(first, data.Path);
        }
        var adminKey = await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-key"), Cancellation);

        using var second = AppHostProcess.Start(data.Path);
        await second.WaitUntilReadyAsync();
        (await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-key"), Cancellation)).ShouldBe(adminKey);
        using (var admin = AdminClient(second.GatewayUrl, adminKey.Trim()))
        {
            var tenants = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/tenants", Cancellation);
            tenants.ToString().ShouldContain(tenantName, Case.Sensitive, "the first run's tenant is in the second run's database");
        }
        second.Interrupt();

        (await second.WaitForExitAsync()).ShouldBe(0);
        await ShouldAllEndAsync(second, data.Path);
    }

    // DCP stops what it started in the background after the AppHost has gone: give it a little while, then nothing is left.
    internal static async Task ShouldAllEndAsync(AppHostProcess host, string dataDirectory)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (host.RunningProcesses(dataDirectory).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, Cancellation);
        }
        host.RunningProcesses(dataDirectory).ShouldBeEmpty();
    }

    private static async Task<HttpResponseMessage> CreateTenantAsync(Uri gateway, string dataDirectory, string name)
    {
        using var admin = AdminClient(gateway, (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-key"), Cancellation)).Trim());
        return await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name }, Cancellation);
    }

    private static HttpClient AdminClient(Uri gateway, string adminKey)
    {
        var http = new HttpClient { BaseAddress = gateway };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        return http;
    }
}
