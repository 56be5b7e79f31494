using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Platform.Contracts;
using Platform.Testing.Mocks;

namespace Usage.FunctionalTests;

// Billing through its public surface: usage events in, the tenant's APIs through the Gateway and the Gateway's refusals out.
public sealed class BillingTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReplayedUsage_WithDuplicatesReorderingAndAConsumerRestart_IsMeteredExactlyOnce()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "meter" }, plan: "pro");
        // This month's, over the last hour (or since the month began).
        var now = DateTimeOffset.UtcNow;
        var start = new[] { now.AddHours(-1), new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero) }.Max();
        // Ids of their own: the seeded ones are another test's too.
        var events = SyntheticUsage.Generate([tenantId], 3000, start, now - start, seed: 5).ConvertAll(e => e with { Id = Guid.CreateVersion7() });
        // One in five again under another message id (so JetStream keeps it), and everything shuffled.
        var deliveries = events.Select(e => (Event: e, Suffix: ""))
            .Concat(events.Where((_, i) => i % 5 == 0).Select(e => (Event: e, Suffix: ":again")))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();
        var half = deliveries.Count / 2;

        await PublishAsync(deliveries[..half]);
        // Billing stops while it consumes, and starts again with the rest waiting for it.
        await platform.App.StopResourceAsync("billing");
        await PublishAsync(deliveries[half..]);
        await platform.App.StartResourceAsync("billing");

        using var http = TenantHttp(key);
        await Eventually.TrueAsync(async () =>
            (await GetJsonAsync(http, "/api/v1/billing/usage"))!.Value.GetProperty("totals").GetProperty("requests").GetInt64() >= events.Count, "all metered");
        // A little longer, so a double count would show.
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);
        var report = (await GetJsonAsync(http, "/api/v1/billing/usage?groupBy=model"))!.Value;

        var totals = report.GetProperty("totals");
        totals.GetProperty("requests").GetInt64().ShouldBe(events.Count);
        totals.GetProperty("inputTokens").GetInt64().ShouldBe(events.Sum(e => e.InputTokens));
        totals.GetProperty("outputTokens").GetInt64().ShouldBe(events.Sum(e => e.OutputTokens));
        totals.GetProperty("cost").GetDecimal().ShouldBe(events.Sum(e => e.Cost));
        foreach (var group in report.GetProperty("groups").EnumerateArray())
        {
            var truth = events.Where(e => (e.Model ?? "") == group.GetProperty("key").GetString()).ToList();
            group.GetProperty("totals").GetProperty("requests").GetInt64().ShouldBe(truth.Count);
            group.GetProperty("totals").GetProperty("cost").GetDecimal().ShouldBe(truth.Sum(e => e.Cost));
        }
        var byKey = (await GetJsonAsync(http, "/api/v1/billing/usage?groupBy=key"))!.Value.GetProperty("groups").EnumerateArray().ToList();
        byKey.Count.ShouldBe(events.Select(e => e.KeyId).Distinct().Count());
        byKey.Sum(g => g.GetProperty("totals").GetProperty("cost").GetDecimal()).ShouldBe(events.Sum(e => e.Cost));

        // The invoice's usage lines are the events' costs at their unit prices, to the cent and below.
        var invoice = (await GetJsonAsync(http, "/api/v1/billing/invoices/preview"))!.Value;
        var lines = invoice.GetProperty("lines").EnumerateArray().ToList();
        var usageLines = lines.Where(l => l.GetProperty("type").GetString() == "usage").ToList();
        usageLines.Sum(l => l.GetProperty("amount").GetDecimal()).ShouldBe(events.Sum(e => e.Cost));
        foreach (var line in usageLines)
        {
            var truth = events.Where(e => e.Model == line.GetProperty("model").GetString() && e.InputPricePerMillion == line.GetProperty("inputPricePerMillion").GetDecimal()).ToList();
            line.GetProperty("inputTokens").GetInt64().ShouldBe(truth.Sum(e => e.InputTokens));
            line.GetProperty("outputTokens").GetInt64().ShouldBe(truth.Sum(e => e.OutputTokens));
            line.GetProperty("amount").GetDecimal().ShouldBe(UsageReplay.Cost(truth.Sum(e => e.InputTokens), truth.Sum(e => e.OutputTokens),
                line.GetProperty("inputPricePerMillion").GetDecimal(), line.GetProperty("outputPricePerMillion").GetDecimal()));
        }
        invoice.GetProperty("totals").GetProperty("cost").GetDecimal().ShouldBe(events.Sum(e => e.Cost));
        invoice.GetProperty("total").GetDecimal().ShouldBe(Math.Round(lines.Sum(l => l.GetProperty("amount").GetDecimal()), 2, MidpointRounding.AwayFromZero));
        lines.ShouldContain(l => l.GetProperty("type").GetString() == "subscription" && l.GetProperty("plan").GetString() == "pro");
    }

    [Fact]
    public async Task EachBudgetThreshold_RaisesOneAlert_AndOneSignedWebhookDelivery_AfterARetry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailFirstAttempts = 1;
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "alerts" });
        using var http = TenantHttp(key);
        var webhook = await (await http.PutAsJsonAsync("/api/v1/billing/webhook", new { url = receiver.Url }, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var secret = webhook.GetProperty("secret").GetString()!;
        (await http.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "month", limit = 1.00m }, Cancellation)).EnsureSuccessStatusCode();

        // 30 %, then 60 %, 90 % and 120 % of the budget: each threshold is crossed once, and re-evaluations add nothing.
        foreach (var (step, alertsBy) in new[] { (0.30m, 0), (0.30m, 1), (0.30m, 2), (0.30m, 3) })
        {
            await UsageReplay.PublishAsync(platform, UsageReplay.Costing(tenantId, step));
            await Eventually.TrueAsync(async () => (await AlertsAsync(http)).Count == alertsBy
                && (await GetJsonAsync(http, "/api/v1/billing/budgets"))!.Value[0].GetProperty("spent").GetDecimal() >= step * (alertsBy + 1), $"{alertsBy} alerts");
        }
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Attempts.Count(a => a.Accepted) == 3), "three deliveries");
        await Task.Delay(TimeSpan.FromSeconds(2), Cancellation);

        var alerts = await AlertsAsync(http);
        alerts.Select(a => a.GetProperty("alert").GetProperty("threshold").GetInt32()).Order().ShouldBe([50, 80, 100]);
        receiver.Attempts.Count.ShouldBe(6);
        receiver.Attempts.Where(a => a.Accepted).Select(a => a.Id).Order().ShouldBe(alerts.Select(a => a.GetProperty("alert").GetProperty("id").GetString()!).Order());
        foreach (var attempt in receiver.Attempts)
        {
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{attempt.Timestamp}.{attempt.Body}")));
            attempt.Signature.ShouldBe($"v1={expected}");
            attempt.Json["type"]!.GetValue<string>().ShouldBe("budget.threshold_crossed");
        }
        foreach (var alert in alerts)
        {
            alert.GetProperty("delivery").GetProperty("attempts").GetInt32().ShouldBe(2);
            alert.GetProperty("delivery").TryGetProperty("deliveredAt", out _).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task Webhooks_GoOnlyToPublicAddresses_OrAnAllowedNetwork_WhenSet_WhenDelivered_AndNotByRedirect()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = new Uri(receiver.Url).Port;
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "webhook-private" });
        using var http = TenantHttp(key);
        string[] inside =
        [
            "http://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data/", $"http://127.0.0.2:{port}/hooks/billing", $"http://[::1]:{port}/hooks/billing",
            "http://[::ffff:192.168.1.1]/hook", "http://0.0.0.0/hook", "https://[fd00::1]/hook",
        ];
        foreach (var url in inside)
        {
            using var refused = await http.PutAsJsonAsync("/api/v1/billing/webhook", new { url }, Cancellation);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, url);
            (await refused.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("errors").GetProperty("url")[0].GetString()!.ShouldContain("where webhooks may not go");
        }
        (await http.GetAsync("/api/v1/billing/webhook", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A webhook set before the check (or whose name resolves elsewhere now) is refused when it is delivered.
        (await http.PutAsJsonAsync("/api/v1/billing/webhook", new { url = receiver.Url }, Cancellation)).EnsureSuccessStatusCode();
        var set = (await GetJsonAsync(http, "/api/v1/billing/webhook"))!.Value;
        set.GetProperty("url").GetString().ShouldBe(receiver.Url);
        set.TryGetProperty("secret", out _).ShouldBeFalse();
        await using (var connection = new NpgsqlConnection(platform.App.GetConnectionString("billingdb")))
        {
            await connection.OpenAsync(Cancellation);
            await using var update = new NpgsqlCommand(
                $"SELECT set_config('app.tenant_id', '{tenantId}', false); UPDATE webhooks SET url = 'http://127.0.0.2:{port}/hooks/billing'", connection);
            await update.ExecuteNonQueryAsync(Cancellation);
        }
        // A receiver in the allowed network that redirects inside is not followed.
        var (redirectedTenant, redirectedKey) = await platform.CreateTenantWithKeyAsync(new { name = "webhook-redirect" });
        using var redirected = TenantHttp(redirectedKey);
        receiver.RedirectTo = $"http://127.0.0.2:{port}/hooks/billing";
        (await redirected.PutAsJsonAsync("/api/v1/billing/webhook", new { url = receiver.Url }, Cancellation)).EnsureSuccessStatusCode();

        foreach (var (tenant, client) in new[] { (tenantId, http), (redirectedTenant, redirected) })
        {
            (await client.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "month", limit = 1.00m }, Cancellation)).EnsureSuccessStatusCode();
            await UsageReplay.PublishAsync(platform, UsageReplay.Costing(tenant, 0.60m));
        }
        await Eventually.TrueAsync(async () => await AttemptedAsync(http, "lastError"), "a refused delivery");
        await Eventually.TrueAsync(async () => await AttemptedAsync(redirected, "lastStatus"), "a redirected delivery");

        var refusedDelivery = (await AlertsAsync(http)).Single().GetProperty("delivery");
        refusedDelivery.GetProperty("lastError").GetString()!.ShouldContain("where webhooks may not go");
        refusedDelivery.TryGetProperty("deliveredAt", out _).ShouldBeFalse();
        var redirectedDelivery = (await AlertsAsync(redirected)).Single().GetProperty("delivery");
        redirectedDelivery.GetProperty("lastStatus").GetInt32().ShouldBe(307);
        redirectedDelivery.TryGetProperty("deliveredAt", out _).ShouldBeFalse();
        // Only the redirecting receiver was reached, and nothing followed it.
        receiver.Attempts.ShouldAllBe(a => a.Json["data"]!["threshold"]!.GetValue<int>() == 50);
        receiver.Attempts.Select(a => a.Id).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Gateway_RefusesAtTheHardLimit_WithInsufficientQuota_AndAdmitsAgainWhenItIsRaised()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "capped" });
        using var http = TenantHttp(key);
        (await http.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "day", limit = 0.0005m }, Cancellation)).EnsureSuccessStatusCode();

        var spent = 0m;
        HttpResponseMessage? refusal = null;
        for (var i = 0; i < 200 && refusal is null; i++)
        {
            var response = await ChatAsync(key, "a small question");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                spent += await CostOfAsync(response);
            }
            else
            {
                refusal = response;
            }
        }

        refusal.ShouldNotBeNull();
        refusal.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        var error = (await refusal.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("insufficient_quota");
        error.GetProperty("type").GetString().ShouldBe("insufficient_quota");
        refusal.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        spent.ShouldBeLessThanOrEqualTo(0.0005m);
        spent.ShouldBeGreaterThan(0.0003m);
        (await ChatAsync(key, "still refused")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        (await http.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "day", limit = 1m }, Cancellation)).EnsureSuccessStatusCode();
        var watch = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => (await ChatAsync(key, "admitted again")).StatusCode == HttpStatusCode.OK, "admitted", TimeSpan.FromSeconds(5));
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task AKeysBudget_StopsThatKeyOnly()
    {
        var (tenantId, capped) = await platform.CreateTenantWithKeyAsync(new { name = "capped-key" });
        using var admin = platform.CreateAdminClient();
        var other = await (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", new { name = "other" }, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        using var http = TenantHttp(capped);
        var keys = await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/tenants/{tenantId}/keys", Cancellation);
        var cappedId = keys!.Single(k => k.GetProperty("name").GetString() == "capped-key").GetProperty("id").GetGuid();
        (await http.PutAsJsonAsync("/api/v1/billing/budgets", new { keyId = cappedId, period = "month", limit = 0.0002m }, Cancellation)).EnsureSuccessStatusCode();

        var refused = await Eventually.GetAsync(async () =>
        {
            var response = await ChatAsync(capped, "spend");
            return response.StatusCode == HttpStatusCode.OK ? null : response;
        }, TimeSpan.FromSeconds(30));

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("message").GetString()!.ShouldContain(cappedId.ToString());
        (await ChatAsync(other.GetProperty("key").GetString()!, "the other key")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SpendMeteredElsewhere_PastACustomPlansCap_IsRefusedWith402_WithinASecond_AndAdmittedOnceTheCapIsRaised()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "custom" });
        using var admin = platform.CreateAdminClient();
        await PutCustomPlanAsync(admin, tenantId, hardLimit: 0.05m);
        (await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/subscription", new { plan = $"custom-{tenantId:N}" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/subscription", new { plan = "nope" }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ChatAsync(key, "before the cap")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Spend the Gateway never saw (another region's Gateway, say) crosses the cap as soon as Billing meters it.
        await UsageReplay.PublishAsync(platform, UsageReplay.Costing(tenantId, 0.06m));
        var crossing = Stopwatch.StartNew();
        HttpResponseMessage response;
        do
        {
            response = await ChatAsync(key, "after the cap");
        }
        while (response.StatusCode == HttpStatusCode.OK && crossing.Elapsed < TimeSpan.FromSeconds(10));

        crossing.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("code").GetString().ShouldBe("insufficient_quota");
        var plans = (await GetJsonAsync(TenantHttp(key), "/api/v1/billing/plans"))!.Value.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        plans.ShouldContain($"custom-{tenantId:N}");

        // The plan the tenant is on, changed: held to its new cap from the next request.
        await PutCustomPlanAsync(admin, tenantId, hardLimit: 1m);
        (await ChatAsync(key, "after the raise")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task FiftyConcurrentClients_OvershootASmallBudget_NoMoreThanTheReservationsAllow()
    {
        const decimal limit = 0.002m;
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "hammered" });
        using var http = TenantHttp(key);
        // A budget is enforced by the time its PUT is answered: the first of the 50 clients is already counted.
        (await http.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "day", limit }, Cancellation)).EnsureSuccessStatusCode();

        var admitted = new List<decimal>();
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = Cancellation }, async (client, _) =>
        {
            while (true)
            {
                var response = await ChatAsync(key, $"client {client} asks again");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, await response.Content.ReadAsStringAsync(Cancellation));
                    Interlocked.Increment(ref refused);
                    return;
                }
                var cost = await CostOfAsync(response);
                lock (admitted)
                {
                    admitted.Add(cost);
                }
            }
        });

        // Every reservation here (the body's bytes / 4 and max_tokens at the model's prices) covers the request's true
        // cost, so the reservations allow no overshoot at all; without them, 50 clients would overshoot by up to 50 requests.
        admitted.Sum().ShouldBeLessThanOrEqualTo(limit);
        admitted.Sum().ShouldBeGreaterThan(limit - 50 * admitted.Max());
        refused.ShouldBe(50);
        // And Billing metered every one of them, admitted or refused.
        await Eventually.TrueAsync(async () =>
            (await GetJsonAsync(http, "/api/v1/billing/usage"))!.Value.GetProperty("totals").GetProperty("requests").GetInt64() == admitted.Count + refused, "all metered");
        (await GetJsonAsync(http, "/api/v1/billing/usage"))!.Value.GetProperty("totals").GetProperty("cost").GetDecimal().ShouldBe(admitted.Sum());
    }

    [Fact]
    public async Task TenantA_SeesNoneOfTenantBsBilling_ThroughAnyEndpoint_NorInTheTables()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (tenantA, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "billing-a" });
        var (tenantB, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "billing-b" });
        using var a = TenantHttp(keyA);
        using var b = TenantHttp(keyB);
        (await b.PutAsJsonAsync("/api/v1/billing/webhook", new { url = receiver.Url }, Cancellation)).EnsureSuccessStatusCode();
        var budget = await (await b.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "month", limit = 0.01m }, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        await UsageReplay.PublishAsync(platform, UsageReplay.Costing(tenantB, 0.02m));
        await Eventually.TrueAsync(async () => (await AlertsAsync(b)).Count == 3, "B's alerts");

        (await GetJsonAsync(a, "/api/v1/billing/usage"))!.Value.GetProperty("totals").GetProperty("requests").GetInt64().ShouldBe(0);
        (await GetJsonAsync(a, "/api/v1/billing/invoices/preview"))!.Value.GetProperty("lines").EnumerateArray().ShouldNotContain(l => l.GetProperty("type").GetString() == "usage");
        (await GetJsonAsync(a, "/api/v1/billing/budgets"))!.Value.GetArrayLength().ShouldBe(0);
        (await AlertsAsync(a)).ShouldBeEmpty();
        (await a.GetAsync("/api/v1/billing/webhook", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await a.DeleteAsync($"/api/v1/billing/budgets/{budget.GetProperty("id").GetGuid()}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await GetJsonAsync(b, "/api/v1/billing/budgets"))!.Value.GetArrayLength().ShouldBe(1);
        (await GetJsonAsync(b, "/api/v1/billing/usage"))!.Value.GetProperty("totals").GetProperty("cost").GetDecimal().ShouldBe(0.02m);

        // Below the API, as the service's own role: with A's tenant set, none of B's rows exist.
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("billingdb"));
        await connection.OpenAsync(Cancellation);
        await using (var set = new NpgsqlCommand($"SELECT set_config('app.tenant_id', '{tenantA}', false)", connection))
        {
            await set.ExecuteNonQueryAsync(Cancellation);
        }
        foreach (var table in new[] { "metered_events", "usage_counters", "budgets", "budget_alerts", "webhooks", "webhook_deliveries", "subscriptions" })
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE tenant_id = '{tenantB}'", connection);
            ((long)(await count.ExecuteScalarAsync(Cancellation))!).ShouldBe(0, table);
        }
    }

    [Fact]
    public async Task PlanChange_MidMonth_IsProratedOnTheInvoice()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "upgrade" }, plan: "pro");
        using var admin = platform.CreateAdminClient();
        (await admin.PatchAsJsonAsync($"/api/v1/admin/tenants/{tenantId}", new { plan = "enterprise" }, Cancellation)).EnsureSuccessStatusCode();
        using var http = TenantHttp(key);
        await Eventually.TrueAsync(async () => (await GetJsonAsync(http, "/api/v1/billing/subscription"))!.Value.GetProperty("history").GetArrayLength() == 2, "two subscriptions");

        var invoice = (await GetJsonAsync(http, "/api/v1/billing/invoices/preview"))!.Value;
        var start = invoice.GetProperty("periodStart").GetDateTimeOffset();
        var monthSeconds = (decimal)(invoice.GetProperty("periodEnd").GetDateTimeOffset() - start).TotalSeconds;
        var subscriptions = invoice.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("type").GetString() == "subscription").ToList();
        subscriptions.Select(l => l.GetProperty("plan").GetString()).ShouldBe(["pro", "enterprise"]);
        subscriptions[0].GetProperty("to").GetDateTimeOffset().ShouldBe(subscriptions[1].GetProperty("from").GetDateTimeOffset());
        foreach (var (line, fee) in subscriptions.Zip([49m, 499m]))
        {
            var seconds = (decimal)(line.GetProperty("to").GetDateTimeOffset() - line.GetProperty("from").GetDateTimeOffset()).TotalSeconds;
            line.GetProperty("amount").GetDecimal().ShouldBe(Math.Round(fee * seconds / monthSeconds, 6), 0.000001m);
        }
        subscriptions[1].GetProperty("to").GetDateTimeOffset().ShouldBe(invoice.GetProperty("periodEnd").GetDateTimeOffset());

        var lastMonth = start.AddMonths(-1).ToString("yyyy-MM");
        var past = (await GetJsonAsync(http, $"/api/v1/billing/invoices/{lastMonth}"))!.Value;
        past.GetProperty("status").GetString().ShouldBe("final");
        past.GetProperty("total").GetDecimal().ShouldBe(0m);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/billing/budgets", """{"period":"week","limit":1}""", "period")]
    [InlineData("PUT", "/api/v1/billing/budgets", """{"period":"day","limit":-1}""", "limit")]
    [InlineData("PUT", "/api/v1/billing/webhook", """{"url":"ftp://example.com/hook"}""", "url")]
    [InlineData("GET", "/api/v1/billing/usage?from=yesterday", null, "from")]
    [InlineData("GET", "/api/v1/billing/usage?from=2026-11-20&to=2026-11-01", null, "from")]
    [InlineData("GET", "/api/v1/billing/usage?groupBy=provider", null, "groupBy")]
    [InlineData("GET", "/api/v1/billing/invoices/2026-13", null, "month")]
    public async Task BadInput_Is400_NamingTheField(string method, string path, string? body, string field)
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "bad-input" });
        using var http = TenantHttp(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };

        var response = await http.SendAsync(request, Cancellation);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    private async Task PublishAsync(List<(UsageIntegrationEvent Event, string Suffix)> deliveries)
    {
        foreach (var group in deliveries.GroupBy(d => d.Suffix))
        {
            await UsageReplay.PublishAsync(platform, group.Select(d => d.Event), group.Key);
        }
    }

    private HttpClient TenantHttp(string key)
    {
        var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static async Task<JsonElement?> GetJsonAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path, Cancellation);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    private static async Task<List<JsonElement>> AlertsAsync(HttpClient http) =>
        [.. (await GetJsonAsync(http, "/api/v1/billing/alerts"))!.Value.EnumerateArray()];

    // Whether the tenant's one alert has had a delivery attempt that left this property.
    private static async Task<bool> AttemptedAsync(HttpClient http, string property) =>
        await AlertsAsync(http) is [var alert] && alert.TryGetProperty("delivery", out var delivery)
            && delivery.ValueKind == JsonValueKind.Object && delivery.TryGetProperty(property, out _);

    private async Task<HttpResponseMessage> ChatAsync(string key, string question)
    {
        using var http = TenantHttp(key);
        return await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            max_tokens = 16,
            // Never the same twice: a cache hit would cost nothing.
            messages = new[] { new { role = "user", content = $"{question} {Guid.NewGuid():N}" } },
        }, Cancellation);
    }

    /// <summary>The tenant's custom plan (<c>custom-{tenantId:N}</c>): $10 a month, no usage included, 402 at <paramref name="hardLimit"/>.</summary>
    private static async Task PutCustomPlanAsync(HttpClient admin, Guid tenantId, decimal hardLimit) =>
        (await admin.PutAsJsonAsync($"/api/v1/admin/billing/plans/custom-{tenantId:N}", new
        {
            tenantId,
            name = "Custom",
            monthlyFee = 10m,
            includedUsage = 0m,
            allowsOverage = true,
            hardLimit,
            hardLimitStatus = 402,
        }, Cancellation)).EnsureSuccessStatusCode();

    // mock-1 costs $1 per million input tokens and $2 per million output tokens.
    private static async Task<decimal> CostOfAsync(HttpResponseMessage response)
    {
        var usage = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("usage");
        return UsageReplay.Cost(usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64(), 1m, 2m);
    }
}
