using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace AppHost.Tests;

// The manifest is what the Kubernetes step reads (as aspirate does): every resource, with what it references.
public sealed class ManifestTests
{
    private static readonly string AppHostAssembly = Path.GetFullPath(typeof(ManifestTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AppHostAssembly").Value!);

    // Published once for all the tests here: each publish starts the AppHost.
    private static readonly Lazy<Task<JsonNode>> Manifest = new(PublishAsync);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    // What each service must be given, by reference to the resource that provides it.
    public static TheoryData<string, string[]> References => new()
    {
        { "gateway", ["gatewaydb", "redis", "nats", "router", "orchestrator", "ingestion", "analytics", "billing", "realtime"] },
        { "router", ["routerdb", "redis", "nats", "orchestrator"] },
        { "orchestrator", ["orchestratordb", "redis", "nats", "router", "ingestion", "gateway"] },
        { "ingestion", ["ingestiondb", "redis", "nats", "orchestrator"] },
        { "analytics", ["analyticsdb", "nats"] },
        { "billing", ["billingdb", "redis", "nats"] },
        { "realtime", ["redis", "nats", "gateway"] },
        { "web", ["gateway"] },
    };

    [Theory]
    [MemberData(nameof(References))]
    public async Task Manifest_ListsEachServiceWithItsReferences(string service, string[] references)
    {
        var resources = (await Manifest.Value)["resources"]!.AsObject();

        resources[service]!["type"]!.GetValue<string>().ShouldBe("project.v0");
        var environment = resources[service]!["env"]!.AsObject();
        foreach (var reference in references)
        {
            var resource = resources[reference].ShouldNotBeNull($"{service} references {reference}, which the manifest must list");
            if (resource["type"]!.GetValue<string>() == "project.v0")
            {
                environment[$"services__{reference}__http__0"]!.GetValue<string>().ShouldBe($"{{{reference}.bindings.http.url}}");
            }
            else
            {
                environment[$"ConnectionStrings__{reference}"]!.GetValue<string>().ShouldBe($"{{{reference}.connectionString}}");
            }
        }
        // Secrets are parameters the deployment supplies, never values baked into the manifest.
        environment["InternalTokens__SigningKey"]?.GetValue<string>().ShouldBe("{internal-token-key.value}");
    }

    [Fact]
    public async Task Manifest_ListsTheServersAsTheServicesTheyProvide_AndTheCommittedCopyIsCurrent()
    {
        var manifest = await Manifest.Value;
        var resources = manifest["resources"]!.AsObject();

        resources["postgres"]!["type"]!.GetValue<string>().ShouldBe("postgres.server.v0");
        resources["redis"]!["type"]!.GetValue<string>().ShouldBe("redis.server.v0");
        resources["nats"]!["type"]!.GetValue<string>().ShouldBe("nats.server.v0");
        foreach (var database in new[] { "gatewaydb", "routerdb", "ingestiondb", "analyticsdb", "billingdb", "orchestratordb" })
        {
            resources[database]!["type"]!.GetValue<string>().ShouldBe("postgres.database.v0");
            resources[database]!["parent"]!.GetValue<string>().ShouldBe("postgres");
            resources[database]!["connectionString"]!.GetValue<string>().ShouldContain("Username=platform_app");
            resources[database]!["ownerConnectionString"]!.GetValue<string>().ShouldContain("Username=platform_owner");
        }
        // Nothing of this machine leaks into it: no data folder, no server command lines.
        manifest.ToJsonString().ShouldNotContain("/.data");
        manifest.ToJsonString().ShouldNotContain("setpriv");
        resources.Select(r => r.Key).ShouldNotContain("postgres-init");

        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "aspire-manifest.json"), Cancellation))!;
        JsonNode.DeepEquals(committed, manifest).ShouldBeTrue(
            "deploy/aspire-manifest.json is out of date: run dotnet run --project AppHost -- --publisher manifest --output-path ../deploy/aspire-manifest.json");
    }

    // Published next to the committed copy (deploy/), so the projects' relative paths compare equal.
    private static async Task<JsonNode> PublishAsync()
    {
        var output = Path.Combine(RepositoryRoot(), "deploy", $".manifest-{Guid.NewGuid():N}.json");
        try
        {
            using var publish = Process.Start(new ProcessStartInfo("dotnet", [AppHostAssembly, "--publisher", "manifest", "--output-path", output])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var console = publish.StandardOutput.ReadToEndAsync();
            await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            publish.ExitCode.ShouldBe(0, await console);
            return JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "Aspire.sln")))
        {
            folder = folder.Parent ?? throw new DirectoryNotFoundException("No Aspire.sln above the test's folder.");
        }
        return folder.FullName;
    }
}
