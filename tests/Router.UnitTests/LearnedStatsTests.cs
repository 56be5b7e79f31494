using Router.Services;

namespace Router.UnitTests;

public sealed class LearnedStatsTests
{
    [Fact]
    public void Get_NothingLearned_IsNull()
    {
        new LearnedStats().Get("openai/gpt-4o", "code").ShouldBeNull();
    }

    [Fact]
    public void Set_KeepsFiguresPerModelAndIntent()
    {
        var stats = new LearnedStats();
        var code = new ModelIntentStats(0.9, 800, 10, 9, 1);
        var math = new ModelIntentStats(0.2, 1200, 5, 1, 4);

        stats.Set("openai/gpt-4o", "code", code);
        stats.Set("openai/gpt-4o", "math", math);
        stats.Set("openai/gpt-4o", "code", code with { Count = 11 });

        stats.Get("openai/gpt-4o", "code").ShouldBe(code with { Count = 11 });
        stats.Get("openai/gpt-4o", "math").ShouldBe(math);
        stats.Get("groq/llama-3", "code").ShouldBeNull();
        stats.All.Keys.Order().ShouldBe(["openai/gpt-4o|code", "openai/gpt-4o|math"]);
    }

    [Fact]
    public void Set_ByStoredKey_IsReadByModelAndIntent()
    {
        var stats = new LearnedStats();
        var figures = new ModelIntentStats(1, 100, 1, 1, 0);

        stats.Set(LearnedStats.KeyOf("groq/llama-3", "chitchat"), figures);

        stats.Get("groq/llama-3", "chitchat").ShouldBe(figures);
    }
}
