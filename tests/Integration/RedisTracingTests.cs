using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Integration;

public sealed class RedisTracingTests(PlatformFixture platform)
{
    [Fact]
    public async Task CommandsUnderATrace_BecomeChildSpans_WithTheirDuration()
    {
        var spans = new ConcurrentBag<Activity>();
        using var tests = new ActivitySource("RedisTracingTests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source == tests || source.Name == RedisTracing.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(platform.App.GetConnectionString("redis"));
        using var tracing = new RedisTracing(redis);
        var key = $"tracing-test:{Guid.NewGuid():N}";

        Activity parent;
        using (parent = tests.StartActivity("request")!)
        {
            await redis.GetDatabase().StringSetAsync(key, "v");
            await redis.GetDatabase().StringGetAsync(key);
        }
        await redis.GetDatabase().KeyDeleteAsync(key);
        tracing.Flush();

        var children = spans.Where(s => s.Source.Name == RedisTracing.ActivitySourceName && s.ParentSpanId == parent.SpanId).ToList();
        children.Select(s => s.OperationName).OrderBy(n => n).ShouldBe(["GET", "SET"]);
        children.ShouldAllBe(s => s.TraceId == parent.TraceId && s.Kind == ActivityKind.Client && s.Duration > TimeSpan.Zero);
        spans.ShouldNotContain(s => s.OperationName == "DEL", "commands outside a trace are not profiled");
    }
}
