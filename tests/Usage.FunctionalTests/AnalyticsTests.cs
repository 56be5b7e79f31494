using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Npgsql;
using OpenAI.Chat;
using Platform.Contracts;
using Platform.Messaging;

namespace Usage.FunctionalTests;

// The read models: usage events folded exactly once into rollups, read back as KPIs by their tenant only.
public sealed class AnalyticsTests(PlatformFixture platform) : IAsyncDisposable
{
    private const string Durable = "analytics-usage";
    private static readonly decimal[] Percentiles = [0.50m, 0.95m, 0.99m];
    private readonly NatsConnection _nats = new(NatsClientExtensions.ToOptions(platform.App.GetConnectionString("nats"), "analytics-tests"));

    private NatsJSContext JetStream => new(_nats);

    [Fact]
    public async Task Replay_WithDuplicatesShuffledAndARestart_KpisEqualTheGroundTruth()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "analytics-replay" });
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var events = SyntheticUsage.Generate([tenantId], 4000, start, TimeSpan.FromHours(2), seed: 5);
        var random = new Random(7);
        // Every event once and a fifth again under another message id (JetStream would drop a repeated id), shuffled.
        var messages = events.Select(e => (e, e.Id.ToString()))
            .Concat(events.Where(_ => random.Next(5) == 0).Select(e => (e, $"{e.Id}:again")))
            .ToArray();
        random.Shuffle(messages);

        await SyntheticUsage.PublishAsync(JetStream, messages[..(messages.Length / 2)], TestContext.Current.CancellationToken);
        // Analytics stops halfway, whatever it had pulled and not acked comes again, and it comes back for the rest.
        await platform.App.StopResourceAsync("analytics");
        await SyntheticUsage.PublishAsync(JetStream, messages[(messages.Length / 2)..], TestContext.Current.CancellationToken);
        await platform.App.StartResourceAsync("analytics");
        await platform.App.WaitForResourceHealthyAsync("analytics", TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await DrainedAsync();

        using var http = GatewayClient(key);
        var range = $"from={Iso(start.AddMinutes(-1))}&to={Iso(start.AddHours(2).AddMinutes(2))}";
        var kpis = await GetAsync<KpiView>(http, $"/api/v1/analytics/kpis?{range}&groupBy=model");

        ShouldMatch(kpis.Totals, events, "totals");
        kpis.GroupBy.ShouldBe("model");
        kpis.Groups.Select(g => g.Key).ShouldBe(events.Select(e => e.Model ?? "none").Distinct(), ignoreOrder: true);
        foreach (var group in kpis.Groups)
        {
            ShouldMatch(group, [.. events.Where(e => (e.Model ?? "none") == group.Key)], group.Key!);
        }

        var hourly = await GetAsync<TimeseriesView>(http, $"/api/v1/analytics/timeseries?{range}&interval=hour&groupBy=provider");
        hourly.Buckets.Sum(b => b.Totals.Requests).ShouldBe(events.Count);
        hourly.Buckets.Sum(b => b.Totals.Cost).ShouldBe(events.Sum(e => e.Cost));
        hourly.Buckets.ShouldAllBe(b => b.Start.Minute == 0 && b.Groups.Sum(g => g.Requests) == b.Totals.Requests);
        foreach (var bucket in hourly.Buckets.Where(b => b.Totals.Requests > 0))
        {
            ShouldMatch(bucket.Totals, [.. events.Where(e => e.OccurredAt >= bucket.Start && e.OccurredAt < bucket.Start.AddHours(1))], $"hour {bucket.Start:O}");
        }
    }

    [Fact]
    public async Task RealRequests_ThroughTheGateway_AppearInKpisAndTimeseries()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "analytics-live" });
        var openAi = platform.CreateOpenAiClient(key, retries: false);
        var marker = Guid.NewGuid().ToString("N");
        await openAi.GetChatClient("mock/mock-1").CompleteChatAsync([new UserChatMessage($"count me {marker}")], cancellationToken: TestContext.Current.CancellationToken);
        await openAi.GetChatClient("mock/mock-1").CompleteChatAsync([new UserChatMessage($"count me {marker}")], cancellationToken: TestContext.Current.CancellationToken);
        await openAi.GetChatClient("mock/mock-1").CompleteChatAsync([new UserChatMessage($"and me {marker}")], cancellationToken: TestContext.Current.CancellationToken);
        await Should.ThrowAsync<System.ClientModel.ClientResultException>(() =>
            openAi.GetChatClient("nope/nothing").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: TestContext.Current.CancellationToken));
        var events = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 4);
        await DrainedAsync();

        using var http = GatewayClient(key);
        var kpis = await GetAsync<KpiView>(http, "/api/v1/analytics/kpis?groupBy=model");
        var series = await GetAsync<TimeseriesView>(http, "/api/v1/analytics/timeseries?interval=minute&groupBy=model");

        events.Count.ShouldBe(4);
        ShouldMatch(kpis.Totals, events, "totals");
        kpis.Totals.CacheHits.ShouldBe(1);
        kpis.Totals.CacheHitRate.ShouldBe(1 / 3.0);
        kpis.Totals.ErrorRate.ShouldBe(0.25);
        kpis.Groups.Select(g => (g.Key, g.Requests)).ShouldBe(new (string?, long)[] { ("mock/mock-1", 3), ("none", 1) });
        kpis.To.ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        (kpis.To - kpis.From).ShouldBe(TimeSpan.FromHours(24), "the last 24 h by default");
        series.Interval.ShouldBe("minute");
        series.Buckets.Count.ShouldBeInRange(1440, 1441);
        series.Buckets.Sum(b => b.Totals.Requests).ShouldBe(4);
        series.Buckets.SelectMany(b => b.Groups).Where(g => g.Key == "mock/mock-1").Sum(g => g.InputTokens).ShouldBe(events.Where(e => e.Model == "mock/mock-1").Sum(e => e.InputTokens));
    }

    [Fact]
    public async Task ATenant_ReadsOnlyItsOwnUsage()
    {
        var (tenantA, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "analytics-a" });
        var (tenantB, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "analytics-b" });
        var (_, keyC) = await platform.CreateTenantWithKeyAsync(new { name = "analytics-c" });
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var events = SyntheticUsage.Generate([tenantA, tenantB, tenantB], 900, start, TimeSpan.FromMinutes(20), seed: 11);
        await SyntheticUsage.PublishAsync(JetStream, events.Select(e => (e, e.Id.ToString())), TestContext.Current.CancellationToken);
        await DrainedAsync();

        foreach (var (tenant, key) in new[] { (tenantA, keyA), (tenantB, keyB) })
        {
            using var http = GatewayClient(key);
            var own = events.Where(e => e.TenantId == tenant).ToList();
            var kpis = await GetAsync<KpiView>(http, "/api/v1/analytics/kpis?groupBy=key");
            var series = await GetAsync<TimeseriesView>(http, "/api/v1/analytics/timeseries?interval=minute&groupBy=key");

            ShouldMatch(kpis.Totals, own, $"tenant {tenant}");
            kpis.Groups.Select(g => Guid.Parse(g.Key!)).ShouldBe(own.Select(e => e.KeyId).Distinct(), ignoreOrder: true);
            series.Buckets.Sum(b => b.Totals.Requests).ShouldBe(own.Count);
        }
        using var other = GatewayClient(keyC);
        var none = await GetAsync<KpiView>(other, "/api/v1/analytics/kpis?groupBy=model");
        var empty = await GetAsync<TimeseriesView>(other, "/api/v1/analytics/timeseries");
        none.Totals.Requests.ShouldBe(0);
        none.Totals.Cost.ShouldBe(0m);
        none.Totals.ErrorRate.ShouldBeNull();
        none.Totals.LatencyMs.P99.ShouldBeNull();
        none.Groups.ShouldBeEmpty();
        empty.Buckets.ShouldAllBe(b => b.Totals.Requests == 0);
    }

    [Fact]
    public async Task Rollups_AreConfinedToTheTenantInAppTenantId_BelowTheApi()
    {
        var (tenantA, tenantB) = (Guid.NewGuid(), Guid.NewGuid());
        var events = new[] { tenantA, tenantB }.Select(tenant => new UsageIntegrationEvent { TenantId = tenant, Model = "mock/mock-1", Provider = "mock", StatusCode = 200, LatencyMs = 9 }).ToList();
        await SyntheticUsage.PublishAsync(JetStream, events.Select(e => (e, e.Id.ToString())), TestContext.Current.CancellationToken);
        await DrainedAsync();
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("analyticsdb"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        foreach (var table in new[] { "usage_rollups", "latency_bins" })
        {
            (await ScalarAsync<long>(connection, tenantA, $"SELECT count(*) FROM {table}")).ShouldBe(1, table);
            (await ScalarAsync<long>(connection, tenantA, $"SELECT count(*) FROM {table} WHERE tenant_id = '{tenantB}'")).ShouldBe(0, table);
            (await ScalarAsync<long>(connection, null, $"SELECT count(*) FROM {table}")).ShouldBe(0, table);
        }
        var smuggled = await Should.ThrowAsync<PostgresException>(() => ScalarAsync<int>(connection, tenantA,
            $"INSERT INTO latency_bins VALUES ('{tenantB}', now(), 'm', 'p', '{Guid.NewGuid()}', 1, 1) RETURNING 1"));
        smuggled.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }

    [Theory]
    [InlineData("kpis?from=yesterday", "from")]
    [InlineData("kpis?to=2026-13-45", "to")]
    [InlineData("kpis?from=2026-11-24T10:00:00Z&to=2026-11-24T09:00:00Z", "from")]
    [InlineData("kpis?groupBy=colour", "groupBy")]
    [InlineData("kpis?groupBy=minute&from=2026-11-01&to=2026-11-03", "groupBy")]
    [InlineData("timeseries?interval=week", "interval")]
    [InlineData("timeseries?interval=minute&from=2026-11-01&to=2026-11-03", "interval")]
    [InlineData("timeseries?groupBy=hour", "groupBy")]
    public async Task BadParameters_Are400_NamingTheParameter(string query, string parameter)
    {
        using var http = platform.CreateTenantClient("analytics", Guid.NewGuid());

        using var response = await http.GetAsync($"/api/v1/analytics/{query}", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe([parameter]);
    }

    [Fact]
    public async Task ADate_IsTheWholeUtcDay()
    {
        using var http = platform.CreateTenantClient("analytics", Guid.NewGuid());

        var kpis = await GetAsync<KpiView>(http, "/api/v1/analytics/kpis?from=2026-11-24&to=2026-11-24&groupBy=hour");

        kpis.From.ShouldBe(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero));
        kpis.To.ShouldBe(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task CacheHitRateGauge_ReportsEachTenantsRecentRates()
    {
        var tenant = Guid.NewGuid();
        string[] caches = [CacheStatus.Hit, CacheStatus.Hit, CacheStatus.Hit, CacheStatus.SemanticHit, CacheStatus.Miss, CacheStatus.Miss, CacheStatus.Miss, CacheStatus.Miss, CacheStatus.Bypass, CacheStatus.None];
        var events = caches.Select(cache => new UsageIntegrationEvent { TenantId = tenant, KeyId = Guid.NewGuid(), Model = "mock/mock-1", Provider = "mock", Cache = cache, StatusCode = 200, LatencyMs = 5 }).ToList();
        await SyntheticUsage.PublishAsync(JetStream, events.Select(e => (e, e.Id.ToString())), TestContext.Current.CancellationToken);
        using var http = platform.App.CreateHttpClient("analytics");

        var metrics = await Eventually.GetAsync(async () =>
        {
            var text = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
            return text.Contains(tenant.ToString(), StringComparison.Ordinal) ? text : null;
        }, TimeSpan.FromSeconds(30));

        Gauge(metrics, tenant, "exact").ShouldBe(3 / 8.0);
        Gauge(metrics, tenant, "semantic").ShouldBe(1 / 8.0);
    }

    public async ValueTask DisposeAsync() => await _nats.DisposeAsync();

    private static double Gauge(string metrics, Guid tenant, string kind) => double.Parse(
        metrics.Split('\n').Single(line => line.StartsWith("cache_hit_rate{", StringComparison.Ordinal)
            && line.Contains($"tenant=\"{tenant}\"", StringComparison.Ordinal) && line.Contains($"kind=\"{kind}\"", StringComparison.Ordinal))
            .Split(' ')[1], CultureInfo.InvariantCulture);

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, Guid? tenant, string sql)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT set_config('app.tenant_id', @tenant, false)") { Parameters = { new NpgsqlParameter<string>("tenant", tenant?.ToString() ?? "") } },
                new NpgsqlBatchCommand(sql),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.NextResultAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        return reader.GetFieldValue<T>(0);
    }

    private static void ShouldMatch(FiguresView actual, List<UsageIntegrationEvent> expected, string what)
    {
        var errors = expected.Count(e => e.StatusCode >= 400);
        var hits = expected.Count(e => e.Cache == CacheStatus.Hit);
        var semanticHits = expected.Count(e => e.Cache == CacheStatus.SemanticHit);
        var cacheable = expected.Count(e => e.Cache is CacheStatus.Hit or CacheStatus.SemanticHit or CacheStatus.Miss);
        actual.Requests.ShouldBe(expected.Count, what);
        actual.Errors.ShouldBe(errors, what);
        actual.InputTokens.ShouldBe(expected.Sum(e => e.InputTokens), what);
        actual.OutputTokens.ShouldBe(expected.Sum(e => e.OutputTokens), what);
        actual.Cost.ShouldBe(expected.Sum(e => e.Cost), what);
        actual.CacheableRequests.ShouldBe(cacheable, what);
        actual.CacheHits.ShouldBe(hits, what);
        actual.SemanticCacheHits.ShouldBe(semanticHits, what);
        actual.CacheHitRate.ShouldBe(cacheable == 0 ? null : (double)hits / cacheable, what);
        actual.SemanticCacheHitRate.ShouldBe(cacheable == 0 ? null : (double)semanticHits / cacheable, what);
        actual.ErrorRate.ShouldBe((double)errors / expected.Count, what);

        var latencies = expected.Select(e => e.LatencyMs).Order().ToArray();
        actual.LatencyMs.Mean!.Value.ShouldBe(latencies.Average(), latencies.Average() * 1e-9, what);
        foreach (var (q, estimate) in Percentiles.Zip(new[] { actual.LatencyMs.P50, actual.LatencyMs.P95, actual.LatencyMs.P99 }))
        {
            // Nearest rank: the ⌈q·n⌉-th smallest.
            var exact = latencies[(int)Math.Ceiling(q * latencies.Length) - 1];
            estimate!.Value.ShouldBe(exact, exact * 0.01 * (1 + 1e-9), $"{what}: p{q * 100:0}");
        }
    }

    private async Task DrainedAsync() => await Eventually.TrueAsync(async () =>
    {
        var consumer = await JetStream.GetConsumerAsync(EventStreams.Usage.Name, Durable, TestContext.Current.CancellationToken);
        return consumer.Info is { NumPending: 0, NumAckPending: 0 };
    }, "Analytics to fold every usage event");

    private static async Task<T> GetAsync<T>(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<T>(TestContext.Current.CancellationToken))!;
    }

    private HttpClient GatewayClient(string key)
    {
        var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record KpiView(DateTimeOffset From, DateTimeOffset To, string? GroupBy, FiguresView Totals, List<FiguresView> Groups);

    private sealed record TimeseriesView(DateTimeOffset From, DateTimeOffset To, string Interval, string? GroupBy, List<BucketView> Buckets);

    private sealed record BucketView(DateTimeOffset Start, FiguresView Totals, List<FiguresView> Groups);

    private sealed record FiguresView(
        string? Key, long Requests, long Errors, long InputTokens, long OutputTokens, decimal Cost, long CacheableRequests, long CacheHits, long SemanticCacheHits,
        double? CacheHitRate, double? SemanticCacheHitRate, double? ErrorRate, LatencyView LatencyMs);

    private sealed record LatencyView(double? Mean, double? P50, double? P95, double? P99);
}
