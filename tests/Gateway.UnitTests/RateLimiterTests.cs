using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class RateLimiterTests
{
    private readonly List<(RedisKey[] Keys, RedisValue[] Values)> _scripts = [];
    private readonly List<(RedisKey Key, RedisValue Field, double Value, CommandFlags Flags)> _increments = [];
    private long[] _reply = [1, 0, 10, 0, 1000, 0, 10, 0, 1000, 0];
    private Exception? _failure;

    [Fact]
    public async Task AdmitAsync_KeyWithoutLimitsOfItsOwn_SendsItsPlansLimitsForKeyAndTenantBuckets()
    {
        var key = Key(plan: "pro");

        await Limiter().AdmitAsync(key, estimatedTokens: 250);

        var (keys, values) = _scripts.ShouldHaveSingleItem();
        keys.Select(k => k.ToString()).ShouldBe([
            $"ratelimit:key:{key.KeyId}:rpm", $"ratelimit:key:{key.KeyId}:tpm", $"ratelimit:tenant:{key.TenantId}:rpm", $"ratelimit:tenant:{key.TenantId}:tpm"]);
        // Per bucket: capacity, refill per millisecond, cost.
        Numbers(values).ShouldBe([600, 0.01, 1, 2_000_000, 2_000_000 / 60_000d, 250, 600, 0.01, 1, 2_000_000, 2_000_000 / 60_000d, 250]);
    }

    [Fact]
    public async Task AdmitAsync_KeyWithItsOwnLimits_UsesThemForTheKeyAndThePlanForTheTenant()
    {
        await Limiter().AdmitAsync(Key(plan: "pro", requestsPerMinute: 6, tokensPerMinute: 600), estimatedTokens: 1);

        var values = Numbers(_scripts.ShouldHaveSingleItem().Values);
        values[..6].ShouldBe([6, 0.0001, 1, 600, 0.01, 1]);
        values[6].ShouldBe(600);
        values[9].ShouldBe(2_000_000);
    }

    [Fact]
    public async Task AdmitAsync_UnknownPlan_GetsTheFreePlansLimits()
    {
        await Limiter().AdmitAsync(Key(plan: "platinum"), estimatedTokens: 1);

        var values = Numbers(_scripts.ShouldHaveSingleItem().Values);
        values[0].ShouldBe(60);
        values[3].ShouldBe(100_000);
    }

    [Fact]
    public async Task AdmitAsync_Admitted_ReportsTheTighterOfKeyAndTenant_AndReservesTheEstimate()
    {
        // Admitted, no wait; then per bucket (key rpm, key tpm, tenant rpm, tenant tpm) its level and ms until full.
        _reply = [1, 0, 5, 100, 900, 50, 3, 200, 1_000, 10];
        var key = Key(plan: "pro", requestsPerMinute: 10, tokensPerMinute: 1_000);

        var decision = await Limiter().AdmitAsync(key, estimatedTokens: 40);

        decision.Admitted.ShouldBeTrue();
        decision.RetryAfter.ShouldBe(TimeSpan.Zero);
        decision.Requests.ShouldBe(new RateLimitState(10, 3, TimeSpan.FromMilliseconds(200)));
        decision.Tokens.ShouldBe(new RateLimitState(1_000, 900, TimeSpan.FromMilliseconds(50)));
        decision.ReservedTokens.ShouldBe(40);
        decision.TokenBuckets.Select(b => b.ToString()).ShouldBe([$"ratelimit:key:{key.KeyId}:tpm", $"ratelimit:tenant:{key.TenantId}:tpm"]);
    }

    [Fact]
    public async Task AdmitAsync_Refused_WaitsAndReservesNothing()
    {
        _reply = [0, 1_500, 0, 6_000, 0, 60_000, 10, 0, -20, 60_000];

        var decision = await Limiter().AdmitAsync(Key(), estimatedTokens: 40);

        decision.Admitted.ShouldBeFalse();
        decision.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1.5));
        decision.ReservedTokens.ShouldBe(0);
        // A bucket overdrawn by a settled debit shows no negative remainder.
        decision.Tokens.Remaining.ShouldBe(0);
    }

    [Fact]
    public async Task AdmitAsync_RedisUnavailable_AdmitsWithoutLimits()
    {
        _failure = new RedisException("down");

        (await Limiter().AdmitAsync(Key(), estimatedTokens: 40)).ShouldBeSameAs(RateLimitDecision.Unlimited);
    }

    [Theory]
    [InlineData(100, 60, 40)]
    [InlineData(100, 130, -30)]
    public void Settle_TrueCountDiffers_MovesBothTokenBucketsByTheDifference_WithoutWaiting(long reserved, long actual, double change)
    {
        var decision = Decision(reserved);

        Limiter().Settle(decision, actual);

        _increments.Count.ShouldBe(2);
        _increments.Select(i => i.Key).ShouldBe(decision.TokenBuckets);
        _increments.ShouldAllBe(i => i.Field == "level" && i.Value == change && i.Flags == CommandFlags.FireAndForget);
    }

    [Fact]
    public void Settle_EstimateWasRight_SendsNothing()
    {
        Limiter().Settle(Decision(reserved: 100), actualTokens: 100);

        _increments.ShouldBeEmpty();
    }

    [Fact]
    public void Settle_Unlimited_SendsNothing()
    {
        Limiter().Settle(RateLimitDecision.Unlimited, actualTokens: 100);

        _increments.ShouldBeEmpty();
    }

    [Fact]
    public void Settle_RedisUnavailable_DoesNotThrow()
    {
        _failure = new RedisException("down");

        Should.NotThrow(() => Limiter().Settle(Decision(reserved: 100), actualTokens: 10));
        _increments.ShouldNotBeEmpty();
    }

    [Fact]
    public void WriteHeaders_WritesOpenAisRateLimitHeaders()
    {
        var headers = new HeaderDictionary();
        var decision = new RateLimitDecision(true, TimeSpan.Zero,
            new RateLimitState(600, 599, TimeSpan.FromMilliseconds(20)), new RateLimitState(2_000_000, 1_999_000, TimeSpan.FromSeconds(90)), [], 0);

        decision.WriteHeaders(headers);

        headers["x-ratelimit-limit-requests"].ToString().ShouldBe("600");
        headers["x-ratelimit-remaining-requests"].ToString().ShouldBe("599");
        headers["x-ratelimit-reset-requests"].ToString().ShouldBe("20ms");
        headers["x-ratelimit-limit-tokens"].ToString().ShouldBe("2000000");
        headers["x-ratelimit-remaining-tokens"].ToString().ShouldBe("1999000");
        headers["x-ratelimit-reset-tokens"].ToString().ShouldBe("1m30s");
    }

    [Theory]
    [InlineData(999, "999ms")]
    [InlineData(1_000, "1s")]
    [InlineData(5_200, "6s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(125_000, "2m5s")]
    public void WriteHeaders_ResetDuration_IsInOpenAisForm(int milliseconds, string written)
    {
        var headers = new HeaderDictionary();
        var state = new RateLimitState(1, 0, TimeSpan.FromMilliseconds(milliseconds));

        new RateLimitDecision(false, TimeSpan.Zero, state, state, [], 0).WriteHeaders(headers);

        headers["x-ratelimit-reset-requests"].ToString().ShouldBe(written);
    }

    [Fact]
    public void WriteHeaders_Unlimited_WritesNone()
    {
        var headers = new HeaderDictionary();

        RateLimitDecision.Unlimited.WriteHeaders(headers);

        headers.ShouldBeEmpty();
    }

    private static RateLimitDecision Decision(long reserved) =>
        new(true, TimeSpan.Zero, RateLimitState.None, RateLimitState.None, ["ratelimit:key:k:tpm", "ratelimit:tenant:t:tpm"], reserved);

    private static double[] Numbers(RedisValue[] values) => [.. values.Select(v => (double)v)];

    private RateLimiter Limiter()
    {
        var database = RedisFake.Create<IDatabase>(new()
        {
            ["ScriptEvaluateAsync"] = args =>
            {
                _scripts.Add(((RedisKey[])args[1]!, (RedisValue[])args[2]!));
                return _failure is null
                    ? Task.FromResult(RedisResult.Create(_reply.Select(v => RedisResult.Create(v)).ToArray()))
                    : Task.FromException<RedisResult>(_failure);
            },
            ["HashIncrement"] = args =>
            {
                _increments.Add(((RedisKey)args[0]!, (RedisValue)args[1]!, (double)args[2]!, (CommandFlags)args[3]!));
                return _failure is null ? 0d : throw _failure;
            },
        });
        var redis = RedisFake.Create<IConnectionMultiplexer>(new()
        {
            ["GetDatabase"] = _ => database,
        });
        return new RateLimiter(redis, Options.Create(new RateLimitOptions()), NullLogger<RateLimiter>.Instance);
    }
}
