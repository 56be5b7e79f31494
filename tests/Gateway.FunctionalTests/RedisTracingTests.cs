using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.FunctionalTests;

// Redis spans as the services get them: Aspire.StackExchange.Redis's client registration and its instrumentation.
public sealed class RedisTracingTests(PlatformFixture platform)
{
    private const string RedisSource = "OpenTelemetry.Instrumentation.StackExchangeRedis";

    [Fact]
    public async Task CommandsUnderATrace_BecomeChildSpans_WithTheirDuration()
    {
        var spans = new ConcurrentBag<Activity>();
        using var tests = new ActivitySource("RedisTracingTests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source == tests || source.Name == RedisSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders(); // the connection's chatter would bury the test run's log
        builder.Configuration["ConnectionStrings:redis"] = platform.App.GetConnectionString("redis");
        builder.AddRedisClient("redis");
        using var host = builder.Build();
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var key = $"tracing-test:{Guid.NewGuid():N}";

        Activity parent;
        using (parent = tests.StartActivity("request")!)
        {
            await redis.StringSetAsync(key, "v");
            await redis.StringGetAsync(key);
        }
        await redis.StringGetAsync(key);
        await redis.KeyDeleteAsync(key);

        // The instrumentation reports what it profiled every 10 s; the read outside the trace is reported too.
        await Eventually.TrueAsync(
            () => Task.FromResult(spans.Count(s => s.Source.Name == RedisSource && s.OperationName == "GET") >= 2),
            "both reads to be reported");
        var children = spans.Where(s => s.Source.Name == RedisSource && s.ParentSpanId == parent.SpanId).ToList();
        children.Select(s => s.OperationName).OrderBy(n => n).ShouldBe(["GET", "SET"]);
        children.ShouldAllBe(s => s.TraceId == parent.TraceId && s.Kind == ActivityKind.Client && s.Duration > TimeSpan.Zero);
        spans.ShouldContain(s => s.Source.Name == RedisSource && s.OperationName == "GET" && s.ParentSpanId != parent.SpanId,
            "the read outside the trace is a span of its own, not a child of the request");
    }
}
