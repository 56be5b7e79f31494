using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static Gateway.UnitTests.ChatCompletionReaderTests;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class ExactCacheTests
{
    private const string Question = """{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}]""";

    private readonly Gateway.Model.TenantKey _key = Key();
    private readonly Dictionary<string, (byte[] Value, object? Expiry, object? Flags)> _stored = [];
    private bool _redisDown;

    [Fact]
    public void KeyFor_SameRequest_IsTheSameKeyUnderTheTenantsPrefix()
    {
        var first = Cache().KeyFor(Http(), _key, Read(Question + "}"));
        var second = Cache().KeyFor(Http(), _key, Read(Question + "}"));

        first.ShouldNotBeNull().ShouldStartWith(ExactCache.KeyPrefix(_key.TenantId));
        first.ShouldBe(second);
    }

    [Fact]
    public void KeyFor_AnotherTenant_IsAnotherKey()
    {
        var request = Read(Question + "}");

        Cache().KeyFor(Http(), Key(), request).ShouldNotBe(Cache().KeyFor(Http(), _key, request));
    }

    [Theory]
    [InlineData(""","stream":true""")]
    [InlineData(""","stream":true,"stream_options":{"include_usage":true}""")]
    [InlineData(""","user":"someone-else" """)]
    [InlineData(""" , "unknown":1""")]
    public void KeyFor_StreamOrUserOrUnknownFields_DoNotChangeTheKey(string fields)
    {
        Cache().KeyFor(Http(), _key, Read(Question + fields + "}")).ShouldBe(Cache().KeyFor(Http(), _key, Read(Question + "}")));
    }

    [Theory]
    [InlineData("""{"model":"other","messages":[{"role":"user","content":"What is 2+2?"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+3?"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":"What is 2+2?"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"What is 2+2?"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}],"temperature":0.2}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}],"max_tokens":5}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}],"response_format":{"type":"json_object"}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}],"tools":[{"type":"function","function":{"name":"add"}}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}],"fallbacks":["n"]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}],"route":{"models":["m"]}}""")]
    public void KeyFor_AnythingThatChangesTheAnswer_ChangesTheKey(string json)
    {
        Cache().KeyFor(Http(), _key, Read(json)).ShouldNotBe(Cache().KeyFor(Http(), _key, Read(Question + "}")));
    }

    [Fact]
    public void KeyFor_CacheOffOrTenantOptedOutOrNoStore_IsNoKey()
    {
        var request = Read(Question + "}");

        Cache(new CacheOptions { ExactEnabled = false }).KeyFor(Http(), _key, request).ShouldBeNull();
        Cache().KeyFor(Http(), Key(cacheEnabled: false), request).ShouldBeNull();
        Cache().KeyFor(Http("private, No-Store"), _key, request).ShouldBeNull();
    }

    [Fact]
    public void KeyFor_NoCache_StillHasAKey_AndRefreshes()
    {
        var http = Http("no-cache");

        Cache().KeyFor(http, _key, Read(Question + "}")).ShouldNotBeNull();
        ExactCache.Refreshes(http).ShouldBeTrue();
        ExactCache.Refreshes(Http()).ShouldBeFalse();
    }

    [Fact]
    public async Task Store_ThenGetAsync_ReturnsTheAnswer_KeptForTheConfiguredTime()
    {
        var cache = Cache(new CacheOptions { ExactTtl = TimeSpan.FromMinutes(5) });
        var answer = new ChatResponse(new ChatMessage(ChatRole.Assistant, "4"))
        {
            ResponseId = "r-1",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 1 },
        };

        cache.Store("k", answer);
        var read = await cache.GetAsync("k");

        _stored["k"].Expiry.ShouldBe(new Expiration(TimeSpan.FromMinutes(5)));
        _stored["k"].Flags.ShouldBe(CommandFlags.FireAndForget);
        read.ShouldNotBeNull().Text.ShouldBe("4");
        read.ResponseId.ShouldBe("r-1");
        read.FinishReason.ShouldBe(ChatFinishReason.Stop);
        read.Usage!.InputTokenCount.ShouldBe(12);
    }

    [Fact]
    public async Task GetAsync_Miss_IsNull()
    {
        (await Cache().GetAsync("absent")).ShouldBeNull();
    }

    [Fact]
    public async Task GetAsyncAndStore_RedisUnavailable_AnswerWithoutTheCache()
    {
        _redisDown = true;
        var cache = Cache();

        Should.NotThrow(() => cache.Store("k", new ChatResponse(new ChatMessage(ChatRole.Assistant, "4"))));
        (await cache.GetAsync("k")).ShouldBeNull();
    }

    private static HttpRequest Http(string? cacheControl = null)
    {
        var http = new DefaultHttpContext();
        if (cacheControl is not null)
        {
            http.Request.Headers.CacheControl = cacheControl;
        }
        return http.Request;
    }

    private ExactCache Cache(CacheOptions? options = null)
    {
        var down = new RedisException("down");
        var database = RedisFake.Create<IDatabase>(new()
        {
            ["StringSet"] = args =>
            {
                if (_redisDown)
                {
                    throw down;
                }
                // StringSet(key, value, expiry, condition, flags).
                _stored[((RedisKey)args[0]!).ToString()] = (((byte[])(RedisValue)args[1]!)!, args[2], args[4]);
                return true;
            },
            ["StringGetAsync"] = args => _redisDown
                ? Task.FromException<RedisValue>(down)
                : Task.FromResult(_stored.TryGetValue(((RedisKey)args[0]!).ToString(), out var stored) ? (RedisValue)stored.Value : RedisValue.Null),
        });
        var redis = RedisFake.Create<IConnectionMultiplexer>(new() { ["GetDatabase"] = _ => database });
        return new ExactCache(redis, Options.Create(options ?? new CacheOptions()), NullLogger<ExactCache>.Instance);
    }
}
