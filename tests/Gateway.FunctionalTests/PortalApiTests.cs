using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Gateway.FunctionalTests;

// What the admin portal calls on the Gateway: tenant users and their sessions, self-service keys, operator views.
public sealed class PortalApiTests(PlatformFixture platform)
{
    private const string Password = "correct horse battery";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Session_WorksForInferenceAndKeys_UntilSignedOut_OnEveryGateway()
    {
        var tenantId = await CreateTenantAsync();
        var email = $"Ada-{Guid.NewGuid():N}@Example.com";
        await CreateUserAsync(tenantId, email);

        var response = await SignInAsync(email.ToUpperInvariant(), Password);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var key = session.GetProperty("key").GetString()!;
        key.ShouldStartWith("sk-aip-");
        session.GetProperty("tenantId").GetGuid().ShouldBe(tenantId);
        session.GetProperty("tenantName").GetString().ShouldStartWith("t-");
        session.GetProperty("email").GetString().ShouldBe(email.ToLowerInvariant());
        session.GetProperty("expiresAt").GetDateTimeOffset().ShouldBeInRange(DateTimeOffset.UtcNow.AddHours(7.9), DateTimeOffset.UtcNow.AddHours(8));
        using var first = Gateway(0, key);
        using var second = Gateway(1, key);
        (await ChatAsync(first, "mock/mock-1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await second.GetFromJsonAsync<JsonElement[]>("/api/v1/keys", Cancellation))!.ShouldBeEmpty("a session is not one of the tenant's API keys");

        (await first.DeleteAsync("/api/v1/auth/sessions/current", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        foreach (var gateway in new[] { first, second })
        {
            await Eventually.TrueAsync(
                async () => (await gateway.GetAsync("/api/v1/keys", Cancellation)).StatusCode == HttpStatusCode.Unauthorized,
                "the signed-out session to be refused", TimeSpan.FromSeconds(5));
            (await ChatAsync(gateway, "mock/mock-1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await first.DeleteAsync("/api/v1/auth/sessions/current", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongPassword_AndUnknownEmail_GetTheSame401()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        await CreateUserAsync(await CreateTenantAsync(), email);

        var wrongPassword = await SignInAsync(email, "not the password at all");
        var unknownEmail = await SignInAsync($"{Guid.NewGuid():N}@example.com", Password);

        wrongPassword.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknownEmail.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // The same answer but for the trace id; a platform API's: ProblemDetails, with the code.
        var body = await WithoutTraceIdAsync(wrongPassword);
        body.ShouldBe(await WithoutTraceIdAsync(unknownEmail));
        wrongPassword.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("invalid_credentials");

        static async Task<string> WithoutTraceIdAsync(HttpResponseMessage response)
        {
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!.AsObject();
            problem.Remove("traceId").ShouldBeTrue();
            return problem.ToJsonString();
        }
    }

    [Fact]
    public async Task FailedSignIns_AreThrottledPerEmail_AndASuccessClearsTheCount()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var other = $"{Guid.NewGuid():N}@example.com";
        var tenantId = await CreateTenantAsync();
        await CreateUserAsync(tenantId, email);
        await CreateUserAsync(tenantId, other);
        await FailAsync(4);
        (await SignInAsync(email, Password)).StatusCode.ShouldBe(HttpStatusCode.Created);

        // Counted afresh after the success: four more failures and then a fifth are still only 401s.
        await FailAsync(5);
        var sixth = await SignInAsync(email, Password);

        sixth.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "even the right password, once the email is throttled");
        sixth.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        (await sixth.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("code").GetString().ShouldBe("too_many_attempts");
        (await SignInAsync(other, Password)).StatusCode.ShouldBe(HttpStatusCode.Created, "another email is not throttled");

        async Task FailAsync(int times)
        {
            for (var i = 0; i < times; i++)
            {
                (await SignInAsync(email, "a wrong password")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }
        }
    }

    [Theory]
    [InlineData("{\"password\":\"correct horse battery\"}", "email")]
    [InlineData("{\"email\":\"ada@example.com\"}", "password")]
    [InlineData("{\"email\":", "")]
    public async Task SignIn_WithoutEmailOrPassword_OrBadJson_Is400(string body, string param)
    {
        using var http = platform.App.CreateHttpClient("gateway");

        var response = await http.PostAsync("/api/v1/auth/sessions", new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        if (param.Length > 0)
        {
            problem.GetProperty("param").GetString().ShouldBe(param);
        }
    }

    [Theory]
    [InlineData("not-an-email", "correct horse battery", "email")]
    [InlineData("ada@example", "correct horse battery", "email")]
    [InlineData("ada@example.com", "short pass", "password")]
    public async Task CreateUser_Invalid_Is400NamingTheField(string email, string password, string field)
    {
        var tenantId = await CreateTenantAsync();
        using var admin = platform.CreateAdminClient();

        var response = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/users", new { email, password }, Cancellation);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe([field]);
    }

    [Fact]
    public async Task CreateUser_EmailTakenOnThePlatform_Is409_UnknownTenant_Is404()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        await CreateUserAsync(await CreateTenantAsync(), email);
        using var admin = platform.CreateAdminClient();

        var again = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{await CreateTenantAsync()}/users", new { email = email.ToUpperInvariant(), password = Password }, Cancellation);
        var nowhere = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}/users", new { email = $"{Guid.NewGuid():N}@example.com", password = Password }, Cancellation);

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        nowhere.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeletedUser_LosesItsSession_AndIsGone()
    {
        var tenantId = await CreateTenantAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        var userId = await CreateUserAsync(tenantId, email);
        using var session = Gateway(0, await SessionKeyAsync(email));
        (await session.GetAsync("/api/v1/tenant", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The session's replica: what it revokes takes effect there at once.
        using var admin = platform.CreateAdminClient(gatewayReplica: 0);
        var listed = await admin.GetStringAsync($"/api/v1/admin/tenants/{tenantId}/users", Cancellation);
        listed.ShouldContain(email);
        listed.ShouldNotContain("hash", Case.Insensitive);

        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantId}/users/{userId}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await session.GetAsync("/api/v1/tenant", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantId}/users/{userId}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{tenantId}/users", Cancellation))!.ShouldBeEmpty();
        (await SignInAsync(email, Password)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DisabledTenant_UserSignIn_Is403()
    {
        var tenantId = await CreateTenantAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        await CreateUserAsync(tenantId, email);
        using var admin = platform.CreateAdminClient();
        (await admin.PatchAsJsonAsync($"/api/v1/admin/tenants/{tenantId}", new { status = "disabled" }, Cancellation)).EnsureSuccessStatusCode();

        var response = await SignInAsync(email, Password);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("code").GetString().ShouldBe("tenant_disabled");
    }

    [Fact]
    public async Task SelfServiceKeys_CreatedOnce_ListedWithoutSessions_RevokedForGood()
    {
        var tenantId = await CreateTenantAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        await CreateUserAsync(tenantId, email);
        using var session = Gateway(0, await SessionKeyAsync(email));

        var created = await session.PostAsJsonAsync("/api/v1/keys", new { name = "ci", scopes = new[] { "inference" } }, Cancellation);

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var secret = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("details").GetProperty("id").GetGuid();
        created.Headers.Location!.ToString().ShouldBe($"/api/v1/keys/{keyId}");
        body.GetProperty("details").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["inference"]);
        var listed = await session.GetStringAsync("/api/v1/keys", Cancellation);
        listed.ShouldNotContain(secret);
        JsonDocument.Parse(listed).RootElement.EnumerateArray().Select(k => k.GetProperty("id").GetGuid()).ShouldBe([keyId]);
        using (var admin = platform.CreateAdminClient())
        {
            (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{tenantId}/keys", Cancellation))!.Length.ShouldBe(2, "the key and the session");
        }
        using var newKey = Gateway(1, secret);
        (await newKey.GetAsync("/v1/models", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await session.DeleteAsync($"/api/v1/keys/{keyId}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await Eventually.TrueAsync(
            async () => (await newKey.GetAsync("/v1/models", Cancellation)).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked key to be refused", TimeSpan.FromSeconds(5));
        (await session.PostAsJsonAsync("/api/v1/keys", new { name = "" }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnotherTenantsKeyId_Is404_AndThatKeyKeepsWorking()
    {
        var (_, mine) = await platform.CreateTenantWithKeyAsync(new { name = "mine" });
        var (theirTenant, theirs) = await platform.CreateTenantWithKeyAsync(new { name = "theirs" });
        using var admin = platform.CreateAdminClient();
        var theirKeyId = (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{theirTenant}/keys", Cancellation))![0].GetProperty("id").GetGuid();
        using var me = Gateway(0, mine);

        var response = await me.DeleteAsync($"/api/v1/keys/{theirKeyId}", Cancellation);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var them = Gateway(0, theirs);
        (await them.GetAsync("/v1/models", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Tenant_IsTheCallersOwn_AndNeedsAPlatformKey()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "profile" });
        var (_, inferenceOnly) = await platform.CreateTenantWithKeyAsync(new { name = "inference-only", scopes = new[] { "inference" } });
        using var http = Gateway(1, key);

        var tenant = await http.GetFromJsonAsync<JsonElement>("/api/v1/tenant", Cancellation);

        tenant.GetProperty("id").GetGuid().ShouldBe(tenantId);
        tenant.GetProperty("name").GetString().ShouldStartWith("t-");
        tenant.GetProperty("plan").GetString().ShouldBe("pro");
        tenant.GetProperty("status").GetString().ShouldBe("active");
        tenant.GetProperty("cacheEnabled").GetBoolean().ShouldBeTrue();
        using var anonymous = platform.App.CreateHttpClient("gateway");
        var refused = await anonymous.GetAsync("/api/v1/tenant", Cancellation);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var narrow = Gateway(0, inferenceOnly);
        (await narrow.GetAsync("/api/v1/keys", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task SessionKey_ReachesThePlatformApisBehindTheProxy()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        await CreateUserAsync(await CreateTenantAsync(), email);
        using var session = Gateway(0, await SessionKeyAsync(email));

        var policy = await session.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", Cancellation);

        policy.GetProperty("version").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task AdminHealth_ListsEveryService_AtTheAddressServiceDiscoveryGivesIt()
    {
        using var admin = platform.CreateAdminClient();
        string[] services = ["router", "orchestrator", "ingestion", "analytics", "billing", "realtime"];

        // Other tests stop and start servers; the platform settles within seconds.
        var resources = await Eventually.GetAsync(async () =>
        {
            var report = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/health", Cancellation);
            return report.GetProperty("status").GetString() == "healthy" ? report.GetProperty("resources").EnumerateArray().ToList() : null;
        }, TimeSpan.FromSeconds(30));

        resources.ShouldAllBe(r => r.GetProperty("status").GetString() == "healthy");
        var gateway = resources.Single(r => r.GetProperty("name").GetString() == "gateway");
        // The Gateway that answers names itself by the address its caller used: here the proxy in front of its replicas.
        new Uri(gateway.GetProperty("url").GetString()!).ShouldBe(platform.App.GetEndpoint("gateway"));
        gateway.GetProperty("description").GetString()!.ShouldContain("redis: Healthy");
        // A single replica's own address; for several (Realtime runs two here), the proxy Aspire puts in front of them.
        foreach (var service in services)
        {
            var replicas = platform.App.GetReplicaEndpoints(service);
            resources.Where(r => r.GetProperty("name").GetString() == service).Select(r => new Uri(r.GetProperty("url").GetString()!))
                .ShouldBe(replicas.Count == 1 ? replicas : [platform.App.GetEndpoint(service)], service);
        }
        resources.Count.ShouldBe(1 + services.Length);
    }

    [Fact]
    public async Task AdminHealth_ShowsAStoppedServiceUnreachable()
    {
        using var admin = platform.CreateAdminClient();
        await platform.App.StopResourceAsync("analytics");
        JsonElement report;
        try
        {
            report = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/health", Cancellation);
        }
        finally
        {
            await platform.App.StartResourceAsync("analytics");
            await platform.App.WaitForResourceHealthyAsync("analytics", Cancellation).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
        }

        report.GetProperty("status").GetString().ShouldBe("degraded");
        var analytics = report.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "analytics");
        analytics.GetProperty("status").GetString().ShouldBe("unreachable");
        analytics.GetProperty("description").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task AdminProviders_ShowTheMockProvider_WithItsCircuits()
    {
        using var admin = platform.CreateAdminClient();

        var providers = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/providers", Cancellation);

        var mock = providers!.Single(p => p.GetProperty("name").GetString() == "mock");
        mock.GetProperty("models").EnumerateArray().Select(m => m.GetString()).ShouldContain("mock-1");
        mock.GetProperty("circuits").GetProperty("mock-1").GetString().ShouldBeOneOf("closed", "open", "half-open");
        mock.TryGetProperty("apiKey", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task FailedRequests_AppearInRecentErrors_NewestFirst()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "errors" });
        using var http = Gateway(0, key);
        (await ChatAsync(http, "mock/no-such-model")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"mock/mock-1\"}", Encoding.UTF8, "application/json"), Cancellation))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var admin = platform.CreateAdminClient();

        // Recorded once each response is done, so after the client has its answer.
        var mine = await Eventually.GetAsync(async () =>
        {
            var errors = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/errors?limit=500", Cancellation)).GetProperty("errors");
            var ours = errors.EnumerateArray().Where(e => e.GetProperty("tenantId").GetGuid() == tenantId).ToList();
            return ours.Count == 2 ? ours : null;
        }, TimeSpan.FromSeconds(10));

        mine.Select(e => e.GetProperty("status").GetInt32()).ShouldBe([400, 404]);
        var notFound = mine[1];
        notFound.GetProperty("endpoint").GetString().ShouldBe("chat.completions");
        notFound.GetProperty("errorCode").GetString().ShouldBe("model_not_found");
        notFound.GetProperty("keyId").GetGuid().ShouldNotBe(Guid.Empty);
        notFound.GetProperty("traceId").GetString().ShouldNotBeNullOrEmpty();
        notFound.GetProperty("at").GetDateTimeOffset().ShouldBeLessThanOrEqualTo(mine[0].GetProperty("at").GetDateTimeOffset());
        (await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/errors?limit=1", Cancellation)).GetProperty("errors").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    [InlineData("many")]
    public async Task RecentErrors_LimitOutOfRange_Is400(string limit)
    {
        using var admin = platform.CreateAdminClient();

        var response = await admin.GetAsync($"/api/v1/admin/errors?limit={limit}", Cancellation);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/api/v1/admin/health")]
    [InlineData("/api/v1/admin/providers")]
    [InlineData("/api/v1/admin/errors")]
    [InlineData("/api/v1/admin/tenants/00000000-0000-0000-0000-000000000001/users")]
    public async Task OperatorViews_WithATenantKey_Are401(string path)
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "not-an-operator" });
        using var http = Gateway(0, key);

        var response = await http.GetAsync(path, Cancellation);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TenantUsers_BelowTheApi_AreSeenInTheirTenant_OrByNamingTheirEmail()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var tenantId = await CreateTenantAsync();
        await CreateUserAsync(tenantId, email);

        (await CountUsersAsync("app.tenant_id", tenantId.ToString())).ShouldBe(1);
        (await CountUsersAsync("app.tenant_id", Guid.NewGuid().ToString())).ShouldBe(0);
        (await CountUsersAsync("app.user_email", email)).ShouldBe(1);
        (await CountUsersAsync("app.user_email", "")).ShouldBe(0);
    }

    // Rows of tenant_users with this email that the app role sees with one setting made, as the Gateway connects.
    private async Task<long> CountUsersAsync(string setting, string value)
    {
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("gatewaydb"));
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand($"SELECT set_config('{setting}', @value, false); SELECT count(*) FROM tenant_users", connection);
        command.Parameters.AddWithValue("value", value);
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        await reader.NextResultAsync(Cancellation);
        await reader.ReadAsync(Cancellation);
        return reader.GetInt64(0);
    }

    private HttpClient Gateway(int replica, string key)
    {
        var http = new HttpClient { BaseAddress = platform.App.GetReplicaEndpoints("gateway")[replica] };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static Task<HttpResponseMessage> ChatAsync(HttpClient http, string model) =>
        http.PostAsJsonAsync("/v1/chat/completions", new { model, messages = new[] { new { role = "user", content = $"portal {Guid.NewGuid()}" } } }, Cancellation);

    private async Task<HttpResponseMessage> SignInAsync(string email, string password)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        return await http.PostAsJsonAsync("/api/v1/auth/sessions", new { email, password }, Cancellation);
    }

    private async Task<string> SessionKeyAsync(string email)
    {
        var response = await SignInAsync(email, Password);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("key").GetString()!;
    }

    private async Task<Guid> CreateTenantAsync()
    {
        using var admin = platform.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = $"t-{Guid.NewGuid():N}"[..24], plan = "pro" }, Cancellation);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
    }

    private async Task<Guid> CreateUserAsync(Guid tenantId, string email)
    {
        using var admin = platform.CreateAdminClient();
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/users", new { email, password = Password }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var user = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        user.GetProperty("tenantId").GetGuid().ShouldBe(tenantId);
        user.GetProperty("email").GetString().ShouldBe(email.ToLowerInvariant());
        user.TryGetProperty("passwordHash", out _).ShouldBeFalse();
        return user.GetProperty("id").GetGuid();
    }
}
