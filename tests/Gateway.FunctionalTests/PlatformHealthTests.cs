using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.FunctionalTests;

public sealed class PlatformHealthTests(PlatformFixture platform)
{
    public static TheoryData<string> Services => ["gateway", "router", "orchestrator", "realtime", "ingestion", "analytics", "billing", "web"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Service_Health_IsHealthyWithEveryCheck(string service)
    {
        using var http = platform.App.CreateHttpClient(service);

        // Other tests in this assembly stop and start the servers; a service reconnects within seconds.
        HttpResponseMessage response = null!;
        await Eventually.TrueAsync(async () =>
        {
            response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }, $"{service}'s /health to answer 200", TimeSpan.FromSeconds(30));

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
        platform.App.Resources.OfType<ProjectResource>().Count().ShouldBe(8);
        // The AppHost's view follows its periodic checks, e.g. after the Redis outage test.
        var resources = platform.App.Resources.Where(r => r is ProjectResource or IResourceWithConnectionString).ToList();
        resources.Select(r => r.Name).ShouldContain("postgres");
        foreach (var resource in resources)
        {
            var healthy = await platform.App.Application.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, TestContext.Current.CancellationToken)
                .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            healthy.Snapshot.State?.Text.ShouldBe(KnownResourceStates.Running, resource.Name);
            healthy.Snapshot.HealthStatus.ShouldBe(HealthStatus.Healthy, resource.Name);
        }
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
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = platform.App.GetReplicaEndpoints("web")[0] };

        var home = await http.GetAsync("/keys", TestContext.Current.CancellationToken);

        home.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        home.Headers.Location!.ToString().ShouldContain("/account/sign-in?ReturnUrl=%2Fkeys");
        var page = await http.GetStringAsync("/account/sign-in", TestContext.Current.CancellationToken);
        page.ShouldContain("Sign in to your tenant");
        page.ShouldContain("Admin key");
    }
}
