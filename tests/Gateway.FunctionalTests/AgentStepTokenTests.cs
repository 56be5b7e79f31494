using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using Platform.Tenancy;

namespace Gateway.FunctionalTests;

// An agent run's model calls, made with the token the Orchestrator mints for the key that started the run.
public sealed class AgentStepTokenTests(PlatformFixture platform)
{
    [Fact]
    public async Task AgentRunToken_ChatsAsItsKey_NamesTheModelThatAnswered_AndIsMeteredAsTheRunsStep()
    {
        var (tenantId, keyId) = await CreateKeyAsync();
        var runId = Guid.NewGuid();
        // The bare id: an ordinary answer echoes it, a step's names the model that answered.
        var chat = platform.CreateOpenAiClient(platform.Tokens.IssueForAgentRun(tenantId, keyId, runId)).GetChatClient("mock-1");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage($"step {Guid.NewGuid():N}")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        completion.Content[0].Text.ShouldStartWith("mock: step");
        completion.Model.ShouldBe("mock/mock-1");
        var usage = (await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 1)).ShouldHaveSingleItem();
        usage.Endpoint.ShouldBe("agent.step");
        usage.RunId.ShouldBe(runId);
        usage.KeyId.ShouldBe(keyId);
        usage.Model.ShouldBe("mock/mock-1");
        usage.Cost.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task AgentRunToken_Streamed_ChunksNameTheModelThatAnswered()
    {
        var (tenantId, keyId) = await CreateKeyAsync();
        var chat = platform.CreateOpenAiClient(platform.Tokens.IssueForAgentRun(tenantId, keyId, Guid.NewGuid())).GetChatClient("mock-1");
        var models = new HashSet<string>();
        var text = new StringBuilder();

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream a step")], cancellationToken: TestContext.Current.CancellationToken))
        {
            models.Add(update.Model);
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
        }

        text.ToString().ShouldBe("mock: stream a step");
        models.ShouldBe(["mock/mock-1"]);
    }

    [Fact]
    public async Task AgentRunToken_ListsModels_AsItsKey()
    {
        var (tenantId, keyId) = await CreateKeyAsync(new { name = "narrow", allowedModels = new[] { "local-chat" } });
        var models = platform.CreateOpenAiClient(platform.Tokens.IssueForAgentRun(tenantId, keyId, Guid.NewGuid())).GetOpenAIModelClient();

        var list = await models.GetModelsAsync(TestContext.Current.CancellationToken);

        list.Value.Select(m => m.Id).ShouldBe(["auto", "local/local-chat"]);
    }

    [Fact]
    public async Task TokenOfARevokedKey_Is401_InvalidApiKey()
    {
        var (tenantId, keyId) = await CreateKeyAsync();
        var token = platform.Tokens.IssueForAgentRun(tenantId, keyId, Guid.NewGuid());
        (await ChatAsync(token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var admin = platform.CreateAdminClient();

        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantId}/keys/{keyId}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // The replica that remembers the key by its id may be the other one, which hears of the revocation over NATS.
        var refused = await Eventually.GetAsync(async () =>
        {
            var response = await ChatAsync(token);
            return response.StatusCode == HttpStatusCode.Unauthorized ? response : null;
        }, TimeSpan.FromSeconds(5));
        await ShouldBeInvalidKeyAsync(refused);
    }

    [Fact]
    public async Task TokenNamingAnotherTenantsKey_Is401_InvalidApiKey()
    {
        var (tenantA, _) = await CreateKeyAsync();
        var (_, keyOfB) = await CreateKeyAsync();

        await ShouldBeInvalidKeyAsync(await ChatAsync(platform.Tokens.IssueForAgentRun(tenantA, keyOfB, Guid.NewGuid())));
    }

    [Fact]
    public async Task TokenSignedWithAnotherKey_Is401_InvalidApiKey()
    {
        var (tenantId, keyId) = await CreateKeyAsync();
        var forger = new InternalTokenIssuer(
            Options.Create(new InternalTokenOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), TimeProvider.System);

        await ShouldBeInvalidKeyAsync(await ChatAsync(forger.IssueForAgentRun(tenantId, keyId, Guid.NewGuid())));
    }

    [Fact]
    public async Task TokenWithoutTheAgentScope_Is401_InvalidApiKey()
    {
        var (tenantId, keyId) = await CreateKeyAsync();

        // What the Gateway itself sends the services for this key: it acts at the services, not on /v1.
        await ShouldBeInvalidKeyAsync(await ChatAsync(platform.Tokens.IssueForTenant(tenantId, keyId.ToString())));
    }

    [Fact]
    public async Task AgentRunToken_IsRefused_OnThePlatformApis()
    {
        var (tenantId, keyId) = await CreateKeyAsync();
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.Tokens.IssueForAgentRun(tenantId, keyId, Guid.NewGuid()));

        using var proxied = await http.GetAsync("/api/v1/analytics/kpis", TestContext.Current.CancellationToken);
        using var own = await http.GetAsync("/api/v1/tenant", TestContext.Current.CancellationToken);

        proxied.StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden);
        own.StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ATenantKey_StillChats_AndIsNoStep()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "plain" });
        var chat = platform.CreateOpenAiClient(key).GetChatClient("mock-1");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("no step")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        completion.Model.ShouldBe("mock-1");
        var usage = (await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 1)).ShouldHaveSingleItem();
        usage.Endpoint.ShouldBe("chat.completions");
        usage.RunId.ShouldBeNull();
    }

    private async Task<(Guid TenantId, Guid KeyId)> CreateKeyAsync(object? keyRequest = null)
    {
        var (tenantId, _) = await platform.CreateTenantWithKeyAsync(keyRequest ?? new { name = "agent" });
        using var admin = platform.CreateAdminClient();
        var keys = await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{tenantId}/keys", TestContext.Current.CancellationToken);
        return (tenantId, keys!.Single().GetProperty("id").GetGuid());
    }

    private async Task<HttpResponseMessage> ChatAsync(string bearer)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = "mock/mock-1", messages = new[] { new { role = "user", content = $"step {Guid.NewGuid():N}" } } }, TestContext.Current.CancellationToken);
    }

    private static async Task ShouldBeInvalidKeyAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("invalid_api_key");
        error.GetProperty("message").GetString().ShouldBe("Incorrect API key provided.");
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
    }
}
