using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Gateway.FunctionalTests;

public sealed class TenantKeyTests(PlatformFixture platform)
{
    [Fact]
    public async Task DemoKey_ListsTheCatalog_ThroughTheOpenAiSdk()
    {
        var models = platform.CreateOpenAiClient(platform.DemoKey).GetOpenAIModelClient();

        var list = await models.GetModelsAsync(TestContext.Current.CancellationToken);

        list.Value.Select(m => m.Id).ShouldContain("local/local-chat");
        list.Value.Select(m => m.Id).ShouldContain("mock/mock-1");
    }

    [Fact]
    public async Task MissingKey_Is401_InOpenAisErrorShape()
    {
        using var http = platform.App.CreateHttpClient("gateway");

        var response = await http.GetAsync("/v1/models", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("message").GetString()!.ShouldContain("API key");
        error.TryGetProperty("param", out _).ShouldBeTrue();
        error.TryGetProperty("code", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task UnknownKey_Is401_InvalidApiKey_ForTheSdk()
    {
        var models = platform.CreateOpenAiClient("sk-aip-not-a-real-key").GetOpenAIModelClient();

        var exception = await Should.ThrowAsync<ClientResultException>(() => models.GetModelsAsync(TestContext.Current.CancellationToken));

        exception.Status.ShouldBe(401);
        exception.Message.ShouldContain("invalid_api_key");
    }

    [Fact]
    public async Task Key_IsShownOnce_StoredAsHashOnly_AndRefusedOnceRevoked()
    {
        var tenantId = await CreateTenantAsync();
        // The replica the key is used on: its revocation there is immediate (other replicas: the test below).
        using var admin = platform.CreateAdminClient(gatewayReplica: 0);
        var created = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", new { name = "ci" }, TestContext.Current.CancellationToken);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var secret = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("details").GetProperty("id").GetGuid();

        secret.ShouldStartWith("sk-aip-");
        Convert.FromBase64String(Base64Url(secret["sk-aip-".Length..])).Length.ShouldBe(32);
        var listed = await admin.GetStringAsync($"/api/v1/admin/tenants/{tenantId}/keys", TestContext.Current.CancellationToken);
        listed.ShouldNotContain(secret);
        listed.ShouldContain(secret[..12]);
        (await StoredKeyColumnsAsync(tenantId)).ShouldBe([Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), secret[..12]]);

        var models = platform.CreateOpenAiClient(secret).GetOpenAIModelClient();
        (await models.GetModelsAsync(TestContext.Current.CancellationToken)).Value.ShouldNotBeEmpty();

        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantId}/keys/{keyId}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await Should.ThrowAsync<ClientResultException>(() => models.GetModelsAsync(TestContext.Current.CancellationToken))).Status.ShouldBe(401);
        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantId}/keys/{keyId}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task RevokedKey_IsRefusedByEveryGatewayInstance_WithinASecond()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "everywhere" });
        var first = platform.CreateOpenAiClient(key, gatewayReplica: 0).GetOpenAIModelClient();
        var second = platform.CreateOpenAiClient(key, gatewayReplica: 1).GetOpenAIModelClient();
        // Both instances now hold the key in memory.
        (await first.GetModelsAsync(TestContext.Current.CancellationToken)).Value.ShouldNotBeEmpty();
        (await second.GetModelsAsync(TestContext.Current.CancellationToken)).Value.ShouldNotBeEmpty();
        using var admin = platform.CreateAdminClient();
        var keyId = (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{tenantId}/keys", TestContext.Current.CancellationToken))![0].GetProperty("id").GetGuid();

        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantId}/keys/{keyId}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var revokedAt = DateTime.UtcNow;

        // Polled with a plain HTTP client every 25 ms: the SDK's retry policy and a coarser poll would add their own
        // delays to the time measured.
        using var raw = new HttpClient { BaseAddress = platform.App.GetReplicaEndpoints("gateway")[1] };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var refused = false;
        while (!refused && DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(5))
        {
            using var response = await raw.GetAsync("/v1/models", TestContext.Current.CancellationToken);
            refused = response.StatusCode == HttpStatusCode.Unauthorized;
            if (!refused)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), TestContext.Current.CancellationToken);
            }
        }
        refused.ShouldBeTrue("the other instance refuses the key");
        (DateTime.UtcNow - revokedAt).ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task AllowedModels_LimitWhatTheKeySees()
    {
        var key = await CreateKeyAsync(await CreateTenantAsync(), new { name = "narrow", allowedModels = new[] { "local-chat" } });

        var list = await platform.CreateOpenAiClient(key).GetOpenAIModelClient().GetModelsAsync(TestContext.Current.CancellationToken);

        list.Value.Select(m => m.Id).ShouldBe(["auto", "local/local-chat"]);
    }

    [Fact]
    public async Task KeyWithoutInferenceScope_Is403()
    {
        var key = await CreateKeyAsync(await CreateTenantAsync(), new { name = "platform-only", scopes = new[] { "platform" } });

        var exception = await Should.ThrowAsync<ClientResultException>(() => platform.CreateOpenAiClient(key).GetOpenAIModelClient().GetModelsAsync(TestContext.Current.CancellationToken));

        exception.Status.ShouldBe(403);
        exception.Message.ShouldContain("insufficient_scope");
    }

    [Fact]
    public async Task Refusals_SpeakThePathsLanguage_OpenAiOnV1_ProblemDetailsOnThePlatformApis()
    {
        var key = await CreateKeyAsync(await CreateTenantAsync(), new { name = "inference-only", scopes = new[] { "inference" } });
        using var http = new HttpClient { BaseAddress = platform.App.GetReplicaEndpoints("gateway")[0] };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var onTheApi = await http.GetAsync("/api/v1/tenant", TestContext.Current.CancellationToken);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-aip-unknown");
        using var signOut = await http.DeleteAsync("/api/v1/auth/sessions/current", TestContext.Current.CancellationToken);
        using var onV1 = await http.GetAsync("/v1/models", TestContext.Current.CancellationToken);

        onTheApi.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        onTheApi.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await onTheApi.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("detail").GetString().ShouldBe("This API key lacks the 'platform' scope.");
        signOut.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        signOut.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        signOut.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        onV1.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        onV1.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await onV1.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_api_key");
    }

    [Fact]
    public async Task ExpiredKey_Is401()
    {
        var key = await CreateKeyAsync(await CreateTenantAsync(), new { name = "brief", expiresAt = DateTimeOffset.UtcNow.AddSeconds(1) });
        var models = platform.CreateOpenAiClient(key).GetOpenAIModelClient();
        (await models.GetModelsAsync(TestContext.Current.CancellationToken)).Value.ShouldNotBeEmpty();

        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        var exception = await Should.ThrowAsync<ClientResultException>(() => models.GetModelsAsync(TestContext.Current.CancellationToken));
        exception.Status.ShouldBe(401);
        exception.Message.ShouldContain("expired");
    }

    [Fact]
    public async Task DisabledTenant_Is403_UntilEnabledAgain()
    {
        var tenantId = await CreateTenantAsync();
        var models = platform.CreateOpenAiClient(await CreateKeyAsync(tenantId, new { name = "k" })).GetOpenAIModelClient();
        (await models.GetModelsAsync(TestContext.Current.CancellationToken)).Value.ShouldNotBeEmpty();
        using var admin = platform.CreateAdminClient();

        (await admin.PatchAsJsonAsync($"/api/v1/admin/tenants/{tenantId}", new { status = "disabled" }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The other Gateway replica hears of it over NATS a moment later: a loaded machine can answer first.
        var exception = await Eventually.GetAsync(async () =>
        {
            try
            {
                await models.GetModelsAsync(TestContext.Current.CancellationToken);
                return null;
            }
            catch (ClientResultException refused)
            {
                return refused;
            }
        }, TimeSpan.FromSeconds(5));
        (await admin.PatchAsJsonAsync($"/api/v1/admin/tenants/{tenantId}", new { status = "active" }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);

        exception.Status.ShouldBe(403);
        exception.Message.ShouldContain("tenant_disabled");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await models.GetModelsAsync(TestContext.Current.CancellationToken)).Value.Count > 0;
            }
            catch (ClientResultException refused) when (refused.Status == 403)
            {
                return false;
            }
        }, "the key to work again", TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("{\"name\":\"\"}")]
    [InlineData("{\"name\":\"x\",\"scopes\":[\"root\"]}")]
    [InlineData("{\"name\":\"x\",\"requestsPerMinute\":0}")]
    [InlineData("{\"name\":\"x\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}")]
    public async Task InvalidKeyRequest_Is400(string body)
    {
        var tenantId = await CreateTenantAsync();
        using var admin = platform.CreateAdminClient();

        var response = await admin.PostAsync($"/api/v1/admin/tenants/{tenantId}/keys", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Keys_AreListedPerTenant()
    {
        var a = await CreateTenantAsync();
        var b = await CreateTenantAsync();
        await CreateKeyAsync(a, new { name = "a-key" });
        using var admin = platform.CreateAdminClient();

        var keysOfB = await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{b}/keys", TestContext.Current.CancellationToken);

        keysOfB.ShouldBeEmpty();
        (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}/keys", new { name = "x" }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<Guid> CreateTenantAsync()
    {
        using var admin = platform.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = $"t-{Guid.NewGuid():N}"[..24] }, TestContext.Current.CancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid();
    }

    private async Task<string> CreateKeyAsync(Guid tenantId, object request)
    {
        using var admin = platform.CreateAdminClient();
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", request, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString()!;
    }

    // What PostgreSQL holds for the tenant's keys, read as the app role inside the tenant's context.
    private async Task<string[]> StoredKeyColumnsAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("gatewaydb"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT set_config('app.tenant_id', @tenant, false); SELECT hash, prefix FROM api_keys", connection);
        command.Parameters.AddWithValue("tenant", tenantId.ToString());
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.NextResultAsync(TestContext.Current.CancellationToken);
        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        return [reader.GetString(0), reader.GetString(1)];
    }

    private static string Base64Url(string value) => value.Replace('-', '+').Replace('_', '/') + new string('=', (4 - value.Length % 4) % 4);
}
