using System.Net;
using System.Text.Json;
using AppHost.Hosting;
using AppHost.Hosting.Resources;

namespace Integration;

public sealed class PlatformHealthTests(PlatformFixture platform)
{
    public static TheoryData<string> Services => ["gateway", "router", "orchestrator", "realtime", "ingestion", "analytics", "billing", "web"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Service_Health_IsHealthyWithEveryCheck(string service)
    {
        using var http = platform.App.CreateHttpClient(service);

        var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        report.RootElement.GetProperty("status").GetString().ShouldBe("Healthy");
        foreach (var check in report.RootElement.GetProperty("checks").EnumerateObject())
        {
            check.Value.GetProperty("status").GetString().ShouldBe("Healthy", $"{service}: {check.Name}");
        }
    }

    [Fact]
    public async Task EveryResource_IsRunning_AndTheAppHostSeesItHealthy()
    {
        platform.Application.Resources.OfType<ProjectResource>().Count().ShouldBe(8);
        platform.Application.Resources.ShouldAllBe(r => r.State == ResourceState.Running);
        // The AppHost's view follows its periodic checks (every second here), e.g. after the Redis outage test.
        await Eventually.TrueAsync(
            () => Task.FromResult(platform.Application.Resources.All(r => r.Health == ResourceHealth.Healthy)),
            "every resource to be healthy in the AppHost's view",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Gateway_Metrics_AreExposedForPrometheus()
    {
        using var http = platform.App.CreateHttpClient("gateway");
        await http.GetAsync("/health", TestContext.Current.CancellationToken);

        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        metrics.ShouldContain("# TYPE");
        metrics.ShouldContain("http_server_request_duration");
    }

    [Fact]
    public async Task Web_Pages_AskForSignIn_AndTheSignInPageRenders()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = platform.Application.GetEndpoints("web")[0] };

        var home = await http.GetAsync("/keys", TestContext.Current.CancellationToken);

        home.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        home.Headers.Location!.ToString().ShouldContain("/account/sign-in?ReturnUrl=%2Fkeys");
        var page = await http.GetStringAsync("/account/sign-in", TestContext.Current.CancellationToken);
        page.ShouldContain("Sign in to your tenant");
        page.ShouldContain("Admin key");
    }
}
