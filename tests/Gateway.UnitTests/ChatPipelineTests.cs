using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static Gateway.UnitTests.ChatCompletionReaderTests;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

/// <summary>
/// The admission and exact cache stages together, over a scripted model: whatever way a call ends, whole or
/// streamed, the rate limiter is settled once and the budget captured once, at what the call was metered.
/// </summary>
public sealed class ChatPipelineTests : IDisposable
{
    // The request's estimate: 10 input tokens (40 bytes) and no output cap, so settling to 3 + 4 metered tokens gives back 3.
    private const long InputEstimate = 10;

    private readonly CatalogModel _model = Catalog(("mock", ChatModel("mock-1"))).Find("mock/mock-1").Model!;
    private readonly List<double> _settled = [];
    private readonly List<long> _captured = [];
    private readonly Dictionary<string, byte[]> _cached = [];
    private readonly Provider _provider = new();
    private bool _limited;
    private bool _overBudget;

    public static TheoryData<bool> Streamed => [false, true];

    [Theory]
    [MemberData(nameof(Streamed))]
    public async Task Answered_SettlesAndCapturesOnce_AtTheMeteredTokens(bool streamed)
    {
        var call = Call();

        var response = await RunAsync(call, streamed);

        response.Text.ShouldBe("Hello");
        _settled.ShouldBe([InputEstimate - 7, InputEstimate - 7], "both token buckets, once");
        _captured.ShouldBe([BudgetState.ToNanos(_model.CostOf(3, 4))]);
        call.Usage.Cache.ShouldBe(CacheStatus.Miss);
        _cached.ShouldContainKey(call.CacheKey!);
    }

    [Theory]
    [MemberData(nameof(Streamed))]
    public async Task ProviderError_SettlesAndCapturesOnce_AtNothing(bool streamed)
    {
        _provider.Failure = new ChatCallException(new ExecutionError(502, "mock failed", "api_error", "provider_error"));
        var call = Call();

        (await Should.ThrowAsync<ChatCallException>(() => RunAsync(call, streamed))).Error.Code.ShouldBe("provider_error");

        _settled.ShouldBe([InputEstimate, InputEstimate]);
        _captured.ShouldBe([0]);
        _cached.ShouldBeEmpty();
    }

    [Fact]
    public async Task ProviderErrorAfterTheFirstUpdate_SettlesAndCapturesOnce_AndStoresNothing()
    {
        _provider.FailAfterFirstUpdate = true;
        var call = Call();
        var received = new List<ChatResponseUpdate>();

        await Should.ThrowAsync<ChatCallException>(async () =>
        {
            await foreach (var update in Pipeline().GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), TestContext.Current.CancellationToken))
            {
                received.Add(update);
            }
        });

        received.ShouldHaveSingleItem().Text.ShouldBe("Hel");
        _settled.ShouldBe([InputEstimate, InputEstimate]);
        _captured.ShouldBe([0]);
        _cached.ShouldBeEmpty();
    }

    [Fact]
    public async Task ClientGoneDuringAWholeAnswer_SettlesAndCapturesOnce()
    {
        _provider.WaitForCancellation = true;
        var call = Call();
        using var disconnect = new CancellationTokenSource();

        var running = Pipeline().GetResponseAsync(call.Request.Messages, call.ToOptions(), disconnect.Token);
        await disconnect.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => running);
        _settled.ShouldBe([InputEstimate, InputEstimate]);
        _captured.ShouldBe([0]);
    }

    [Fact]
    public async Task ClientGoneMidStream_SettlesAndCapturesOnce_AtWhatWasMetered_AndStoresNothing()
    {
        var call = Call();

        // The client reads the first update and goes: the endpoint disposes the enumerator.
        await using (var updates = Pipeline().GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            (await updates.MoveNextAsync()).ShouldBeTrue();
        }

        _settled.ShouldBe([InputEstimate, InputEstimate]);
        _captured.ShouldBe([0]);
        _cached.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Streamed))]
    public async Task CacheHit_AnswersWithoutTheModel_SettlesAndCapturesOnce_AtNothing(bool streamed)
    {
        await RunAsync(Call(), streamed: false);
        _settled.Clear();
        _captured.Clear();
        var again = Call();

        var response = await RunAsync(again, streamed);

        response.Text.ShouldBe("Hello");
        response.Usage.ShouldNotBeNull().OutputTokenCount.ShouldBe(4);
        _provider.Calls.ShouldBe(1);
        again.Usage.Cache.ShouldBe(CacheStatus.Hit);
        _settled.ShouldBe([InputEstimate, InputEstimate]);
        _captured.ShouldBe([0]);
    }

    [Fact]
    public async Task AnswerReadAsTheCallEntered_IsServedOnceAdmitted_WithoutReadingAgain()
    {
        var call = Call();
        call = new ChatCall
        {
            Key = call.Key,
            Request = call.Request,
            Usage = call.Usage,
            InputTokenEstimate = call.InputTokenEstimate,
            Candidates = call.Candidates,
            Route = call.Route,
            CacheKey = call.CacheKey,
            CachedAnswer = Task.FromResult<ChatResponse?>(new ChatResponse(new ChatMessage(ChatRole.Assistant, "from before"))),
        };

        var response = await RunAsync(call, streamed: false);

        response.Text.ShouldBe("from before");
        call.Usage.Cache.ShouldBe(CacheStatus.Hit);
        _provider.Calls.ShouldBe(0);
        _cached.ShouldBeEmpty("nothing was read from or written to Redis' cache");
    }

    [Fact]
    public async Task StreamedAnswer_IsStoredAsOneAnswer_ThatAWholeRequestHits()
    {
        _provider.ToolCalls = true;
        await RunAsync(Call(), streamed: true);
        var again = Call();

        var response = await RunAsync(again, streamed: false);

        again.Usage.Cache.ShouldBe(CacheStatus.Hit);
        response.Text.ShouldBe("Hello");
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ShouldBe(["c1", "c2"]);
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.Usage.ShouldNotBeNull().TotalTokenCount.ShouldBe(7);
    }

    [Theory]
    [MemberData(nameof(Streamed))]
    public async Task OverTheRateLimit_Refused_GivesTheBudgetReservationBackOnce(bool streamed)
    {
        _limited = true;
        var call = Call();

        var refusal = await Should.ThrowAsync<ChatCallException>(() => RunAsync(call, streamed));

        refusal.Error.Status.ShouldBe(429);
        refusal.Error.Code.ShouldBe("rate_limit_exceeded");
        refusal.Error.RetryAfterSeconds.ShouldBe(2);
        call.Limit.ShouldNotBeNull().Admitted.ShouldBeFalse();
        _settled.ShouldBeEmpty("a refused request took no tokens");
        _captured.ShouldBe([0]);
        _provider.Calls.ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(Streamed))]
    public async Task OverBudget_Refused_GivesTheRateLimitBackOnce(bool streamed)
    {
        _overBudget = true;
        var call = Call();

        var refusal = await Should.ThrowAsync<ChatCallException>(() => RunAsync(call, streamed));

        refusal.Error.Code.ShouldBe("insufficient_quota");
        _settled.ShouldBe([InputEstimate, InputEstimate]);
        _captured.ShouldBeEmpty();
        _provider.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task NoStoreRequest_BypassesTheCache_ButNotTheLimits()
    {
        var call = Call(cacheKey: null);

        await RunAsync(call, streamed: false);
        await RunAsync(Call(cacheKey: null), streamed: false);

        call.Usage.Cache.ShouldBe(CacheStatus.Bypass);
        _provider.Calls.ShouldBe(2);
        _cached.ShouldBeEmpty();
        _settled.Count.ShouldBe(4);
    }

    public void Dispose() => _provider.Dispose();

    private async Task<ChatResponse> RunAsync(ChatCall call, bool streamed)
    {
        if (!streamed)
        {
            return await Pipeline().GetResponseAsync(call.Request.Messages, call.ToOptions(), TestContext.Current.CancellationToken);
        }
        List<ChatResponseUpdate> updates = [];
        await foreach (var update in Pipeline().GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }
        return updates.ToChatResponse();
    }

    private ChatCall Call(string? cacheKey = "cache:exact:t:question") => new()
    {
        Key = Key(),
        Request = Read("""{"model":"mock/mock-1","messages":[{"role":"user","content":"hello"}]}"""),
        Usage = new UsageRecord { Model = _model },
        InputTokenEstimate = InputEstimate,
        Candidates = [_model],
        Route = new RoutePlan([new RouteCandidate("mock", "mock-1")], RouteStrategies.Single),
        CacheKey = cacheKey,
    };

    private IChatClient Pipeline()
    {
        var redis = RedisFake.Create<IConnectionMultiplexer>(new() { ["GetDatabase"] = _ => Redis() });
        return new ChatClientBuilder(_provider)
            .Use(inner => new AdmissionChatClient(inner,
                new RateLimiter(redis, Options.Create(new RateLimitOptions()), NullLogger<RateLimiter>.Instance),
                new BudgetGuard(redis, TimeProvider.System, NullLogger<BudgetGuard>.Instance),
                Catalog(("mock", ChatModel("mock-1"))), Options.Create(new GatewayOptions())))
            .Use(inner => new ExactCacheChatClient(inner, new ExactCache(redis, Options.Create(new CacheOptions()), NullLogger<ExactCache>.Instance)))
            .Build();
    }

    private IDatabase Redis() => RedisFake.Create<IDatabase>(new()
    {
        // The limiter's admission or the budget's reservation, told apart by their scripts.
        ["ScriptEvaluateAsync"] = args => Task.FromResult(((string)args[0]!).Contains("TIME", StringComparison.Ordinal)
            ? Reply(_limited ? [0, 1_500, 0, 0, 0, 0, 0, 0, 0, 0] : [1, 0, 10, 0, 1_000, 0, 10, 0, 1_000, 0])
            : _overBudget
                ? RedisResult.Create([RedisResult.Create(0), RedisResult.Create(429), RedisResult.Create(1), RedisResult.Create(1), RedisResult.Create((RedisValue)"tenant:day")])
                // Reserved against the tenant's daily budget.
                : Reply([1, 2])),
        // The budget's capture: (script, spend keys, [minute, estimate, cost], flags).
        ["ScriptEvaluate"] = args =>
        {
            _captured.Add((long)((RedisValue[])args[2]!)[2]);
            return RedisResult.Create(1);
        },
        ["HashIncrement"] = args =>
        {
            _settled.Add((double)args[2]!);
            return 0d;
        },
        ["StringGetAsync"] = args => Task.FromResult(_cached.TryGetValue(((RedisKey)args[0]!).ToString(), out var stored) ? (RedisValue)stored : RedisValue.Null),
        ["StringSet"] = args =>
        {
            _cached[((RedisKey)args[0]!).ToString()] = ((byte[])(RedisValue)args[1]!)!;
            return true;
        },
    });

    private static RedisResult Reply(long[] values) => RedisResult.Create([.. values.Select(v => RedisResult.Create(v))]);

    /// <summary>A model as the execution stage presents it: it meters what it answered in the call's usage.</summary>
    private sealed class Provider : IChatClient
    {
        public int Calls { get; private set; }

        public Exception? Failure { get; set; }

        public bool FailAfterFirstUpdate { get; set; }

        public bool WaitForCancellation { get; set; }

        public bool ToolCalls { get; set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            List<ChatResponseUpdate> updates = [];
            await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                updates.Add(update);
            }
            return updates.ToChatResponse();
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Calls++;
            var call = ChatCall.Of(options);
            if (WaitForCancellation)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            if (Failure is not null)
            {
                throw Failure;
            }
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ResponseId = "r-1" };
            if (FailAfterFirstUpdate)
            {
                throw new ChatCallException(new ExecutionError(502, "broke off", "api_error", "provider_error"));
            }
            if (ToolCalls)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", "a")]);
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c2", "b")]) { FinishReason = ChatFinishReason.ToolCalls };
            }
            call.Usage.InputTokens = 3;
            call.Usage.OutputTokens = 4;
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent("lo"), new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 4, TotalTokenCount = 7 })])
            {
                FinishReason = ToolCalls ? null : ChatFinishReason.Stop,
            };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
