using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Agents.FunctionalTests;

// The platform as an MCP server: the official MCP client at the Gateway's /mcp (streamable HTTP, either replica) with
// a tenant key sees that tenant's knowledge search and agents as tools, and calls them.
public sealed class GatewayMcpServerTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;
    private const string SixTimesSeven = """[[calls:calculator {"expression":"6*7"}]] What is six times seven?""";

    [Fact]
    public async Task ATenantKey_ListsItsKnowledgeSearchAndItsAgents_NotAnotherTenants()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "mcp-list" });
        var (_, otherKey) = await platform.CreateTenantWithKeyAsync(new { name = "mcp-list-other" });
        await CreateAgentAsync(key, "calc", "Does arithmetic.");
        await CreateAgentAsync(key, "plain");
        await CreateAgentAsync(otherKey, "secret", "Another tenant's.");

        await using var client = await ConnectAsync(key);
        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);

        tools.Select(t => t.Name).Order().ShouldBe(["agent_calc", "agent_plain", "knowledge_search"]);
        tools.Single(t => t.Name == "agent_calc").Description.ShouldBe("Does arithmetic.");
        tools.Single(t => t.Name == "agent_plain").Description.ShouldBe("Runs the agent plain.");
        var schema = tools.Single(t => t.Name == "agent_calc").JsonSchema;
        schema.GetProperty("properties").GetProperty("input").GetProperty("type").GetString().ShouldBe("string");
        schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["input"]);
        tools.Single(t => t.Name == "knowledge_search").JsonSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["query"]);

        await using var other = await ConnectAsync(otherKey);
        (await other.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.Name).Order().ShouldBe(["agent_secret", "knowledge_search"]);

        // On the wire, the list says it is the caller's: no shared cache may hand it to another tenant.
        using var listed = await ListToolsOnTheWireAsync(key);
        listed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await listed.Content.ReadAsStringAsync(Cancellation)).ShouldContain("\"cacheScope\":\"private\"");
    }

    [Fact]
    public async Task AnAgentTool_RunsTheAgent_AndAnswersWithTheRunsAnswerOrItsError()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "mcp-agents" });
        await CreateAgentAsync(key, "calc");
        // One mock-1 call costs about 0.00001 USD.
        await CreateAgentAsync(key, "spender", limits: new { maxCostUsd = 0.000001m });
        await using var client = await ConnectAsync(key);

        var answered = await client.CallToolAsync("agent_calc", new Dictionary<string, object?> { ["input"] = SixTimesSeven }, cancellationToken: Cancellation);
        answered.IsError.ShouldNotBe(true);
        answered.Content.OfType<TextContentBlock>().ShouldHaveSingleItem().Text.ShouldBe("mock: 42");

        var failed = await client.CallToolAsync("agent_spender", new Dictionary<string, object?> { ["input"] = SixTimesSeven }, cancellationToken: Cancellation);
        failed.IsError.ShouldBe(true);
        failed.Content.OfType<TextContentBlock>().ShouldHaveSingleItem().Text.ShouldContain("cost limit");

        var noInput = await client.CallToolAsync("agent_calc", new Dictionary<string, object?>(), cancellationToken: Cancellation);
        noInput.IsError.ShouldBe(true);
        var unknown = await Should.ThrowAsync<McpProtocolException>(() => client.CallToolAsync("agent_nobody", new Dictionary<string, object?> { ["input"] = "Hello." }, cancellationToken: Cancellation).AsTask());
        unknown.ErrorCode.ShouldBe(McpErrorCode.InvalidParams);
    }

    [Fact]
    public async Task KnowledgeSearch_FindsTheTenantsDocument_WithItsSource()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "mcp-knowledge" });
        var (_, otherKey) = await platform.CreateTenantWithKeyAsync(new { name = "mcp-knowledge-other" });
        using var http = platform.CreateGatewayClient(key);
        var upload = await http.PostAsJsonAsync("/api/v1/ingestion/documents", new { name = "espresso.txt", text = "Descale the espresso machine every 200 cups." }, Cancellation);
        upload.StatusCode.ShouldBe(HttpStatusCode.Accepted, await upload.Content.ReadAsStringAsync(Cancellation));
        var document = (await upload.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
        await Eventually.TrueAsync(async () =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/v1/ingestion/documents/{document}", Cancellation)).GetProperty("status").GetString() == "indexed",
            "the document to be indexed", TimeSpan.FromSeconds(30));
        var query = new Dictionary<string, object?> { ["query"] = "how often should I descale the espresso machine?", ["top"] = 3 };

        await using var client = await ConnectAsync(key);
        var found = await client.CallToolAsync("knowledge_search", query, cancellationToken: Cancellation);

        found.IsError.ShouldNotBe(true);
        var text = found.Content.OfType<TextContentBlock>().ShouldHaveSingleItem().Text;
        text.ShouldStartWith($"[1] espresso.txt (document {document}, chunk 0)\nDescale the espresso machine every 200 cups.");
        var citation = found.StructuredContent.ShouldNotBeNull().GetProperty("citations")[0];
        citation.GetProperty("documentId").GetGuid().ShouldBe(document);
        citation.GetProperty("documentName").GetString().ShouldBe("espresso.txt");
        citation.GetProperty("chunkIndex").GetInt32().ShouldBe(0);

        await using var other = await ConnectAsync(otherKey);
        var nothing = await other.CallToolAsync("knowledge_search", query, cancellationToken: Cancellation);
        nothing.Content.OfType<TextContentBlock>().ShouldHaveSingleItem().Text.ShouldBe("No passage of the tenant's documents matches the query.");
    }

    [Fact]
    public async Task NoKey_AWrongKey_OrAKeyWithoutTheInferenceScope_IsRefused_AndNothingIsListed()
    {
        var (_, platformOnly) = await platform.CreateTenantWithKeyAsync(new { name = "mcp-platform-only", scopes = new[] { "platform" } });

        foreach (var (bearer, status) in new (string?, HttpStatusCode)[]
        {
            (null, HttpStatusCode.Unauthorized),
            ("sk-not-a-key", HttpStatusCode.Unauthorized),
            (platformOnly, HttpStatusCode.Forbidden),
        })
        {
            using var response = await ListToolsOnTheWireAsync(bearer);

            response.StatusCode.ShouldBe(status, bearer ?? "no key");
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            (await response.Content.ReadAsStringAsync(Cancellation)).ShouldNotContain("knowledge_search");
        }
        await Should.ThrowAsync<HttpRequestException>(() => ConnectAsync("sk-not-a-key"));
    }

    private async Task<McpClient> ConnectAsync(string key) => await McpClient.CreateAsync(
        new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(platform.App.GetEndpoint("gateway"), "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        }),
        cancellationToken: Cancellation);

    /// <summary>A bare <c>tools/list</c>, as JSON-RPC over HTTP, with <paramref name="bearer"/> if any.</summary>
    private async Task<HttpResponseMessage> ListToolsOnTheWireAsync(string? bearer)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        var response = await http.SendAsync(request, Cancellation);
        await response.Content.LoadIntoBufferAsync(Cancellation);
        return response;
    }

    private async Task CreateAgentAsync(string key, string name, string description = "", object? limits = null)
    {
        using var http = platform.CreateGatewayClient(key);
        var response = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name, description, instructions = "You help with the tools you have.", model = "mock/mock-1", tools = new[] { "calculator" }, limits }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancellation));
    }
}
