using Microsoft.Extensions.Time.Testing;
using Orchestrator.Services;

namespace Orchestrator.UnitTests;

public sealed class ExecutionLoadTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TheAverageWeighsEachRouteByHowLongItRan()
    {
        var load = new ExecutionLoad(_time);
        load.Started();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        load.Started();
        _time.Advance(TimeSpan.FromMilliseconds(250));
        load.Finished();
        load.Finished();
        _time.Advance(TimeSpan.FromMilliseconds(250));

        // One route for 750 ms and another for 250 ms, over a second.
        load.TakeAverage().ShouldBe(1.0, tolerance: 1e-9);
    }

    [Fact]
    public void EachReadingCoversOnlyTheTimeSinceTheLastOne()
    {
        var load = new ExecutionLoad(_time);
        load.Started();
        _time.Advance(TimeSpan.FromSeconds(1));
        load.TakeAverage().ShouldBe(1.0, tolerance: 1e-9);

        load.Finished();
        _time.Advance(TimeSpan.FromSeconds(1));
        load.TakeAverage().ShouldBe(0.0);
    }

    [Fact]
    public void ABurstOfQuickRoutesHardlyCounts()
    {
        var load = new ExecutionLoad(_time);
        for (var i = 0; i < 100; i++)
        {
            load.Started();
            _time.Advance(TimeSpan.FromMilliseconds(1));
            load.Finished();
        }
        _time.Advance(TimeSpan.FromMilliseconds(900));

        load.TakeAverage().ShouldBe(0.1, tolerance: 1e-9);
    }
}
