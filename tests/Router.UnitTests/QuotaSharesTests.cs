using Router.Services;

namespace Router.UnitTests;

public sealed class QuotaSharesTests
{
    [Fact]
    public void ShareOf_ProviderWithoutQuota_IsZero()
    {
        new QuotaShares().ShareOf("openai").ShouldBe(0);
    }

    [Fact]
    public void Set_ReplacesEveryShareAtOnce()
    {
        var shares = new QuotaShares();
        shares.Set(new() { ["groq"] = Use(0.5), ["openai"] = Use(1) });

        shares.Set(new() { ["groq"] = Use(0.9) });

        shares.ShareOf("groq").ShouldBe(0.9);
        shares.ShareOf("openai").ShouldBe(0);
        shares.All.Keys.ShouldBe(["groq"]);
    }

    [Fact]
    public void ShareOf_ProviderNames_AreCaseSensitive()
    {
        var shares = new QuotaShares();
        shares.Set(new(StringComparer.OrdinalIgnoreCase) { ["groq"] = Use(0.5) });

        shares.ShareOf("Groq").ShouldBe(0);
    }

    private static QuotaUse Use(double share) => new(0, 100, 0, null, QuotaPeriods.Day, share);
}
