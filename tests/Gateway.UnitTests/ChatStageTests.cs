using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Vectors;
using StackExchange.Redis;
using static Gateway.UnitTests.ChatCompletionReaderTests;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

/// <summary>The stages after the caches, each alone: the services behind them answer from a scripted HTTP handler.</summary>
public sealed class ChatStageTests : IDisposable
{
    private readonly ModelCatalog _catalog = Catalog(("mock", ChatModel("mock-1")), ("mock", ChatModel("mock-2")));
    private readonly Recorder _inner = new();
    private readonly List<(HttpRequestMessage Request, string Body)> _sent = [];
    private readonly Gateway.Model.TenantKey _key = Key();
    private readonly ConcurrentDictionary<string, RedisValue[]> _spaces = new();

    // The model is loaded once for the class's tests.
    private static readonly LocalEmbeddingGenerator LocalEmbeddings = new(Options.Create(new LocalEmbeddingOptions()));
    private Func<HttpRequestMessage, HttpResponseMessage> _answer = _ => new HttpResponseMessage(HttpStatusCode.NotFound);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Routing_Auto_TakesTheRoutersRoute_ForTheLastQuestion()
    {
        _answer = _ => Json(new RoutingDecision("d-1", "chat", new RoutePlan([new RouteCandidate("mock", "mock-2")], RouteStrategies.Single, "d-1"), null), ExecutionJson.Options);
        var call = Call("""{"model":"auto","messages":[{"role":"user","content":"what is 2+2?"}]}""", route: false);

        await new AutoRoutingChatClient(_inner, new RouterClient(Http())).GetResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation);

        call.Route.ShouldNotBeNull().DecisionId.ShouldBe("d-1");
        call.Route.Candidates.ShouldBe([new RouteCandidate("mock", "mock-2")]);
        var asked = JsonDocument.Parse(_sent.ShouldHaveSingleItem().Body).RootElement;
        asked.GetProperty("text").GetString().ShouldBe("what is 2+2?");
        asked.GetProperty("inputTokens").GetInt64().ShouldBe(call.InputTokenEstimate);
        _inner.Calls.ShouldBe(1);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity, 422, "no_eligible_model")]
    [InlineData(HttpStatusCode.InternalServerError, 503, "router_unavailable")]
    public async Task Routing_RouterRefusesOrFails_IsTheCallsError_AndNoModelIsCalled(HttpStatusCode answered, int status, string code)
    {
        _answer = _ => new HttpResponseMessage(answered);
        var call = Call("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", route: false);

        var failure = await Should.ThrowAsync<ChatCallException>(() =>
            new AutoRoutingChatClient(_inner, new RouterClient(Http())).GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation).ToListAsync(Cancellation).AsTask());

        failure.Error.Status.ShouldBe(status);
        failure.Error.Code.ShouldBe(code);
        _inner.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task Routing_NamedModels_AskNoRouter()
    {
        var call = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"hi"}]}""");

        await new AutoRoutingChatClient(_inner, new RouterClient(Http())).GetResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation);

        _sent.ShouldBeEmpty();
        call.Route.ShouldNotBeNull().Candidates.ShouldBe([new RouteCandidate("mock", "mock-1")]);
    }

    [Fact]
    public async Task Retrieval_GroundsTheConversationInTheSourcesFound_AndKeepsThemAsCitations()
    {
        var document = Guid.NewGuid();
        _answer = _ => Json(new { results = new[] { new Citation(document, "refunds.md", 2, "Refunds", "Refunds take 14 days.", 0.8f) } });
        var call = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"how long do refunds take?"}],"retrieval":{"top":3}}""");

        await new RetrievalChatClient(_inner, new KnowledgeClient(Http(), NullLogger<KnowledgeClient>.Instance))
            .GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation).ToListAsync(Cancellation);

        call.Citations.ShouldNotBeNull().ShouldHaveSingleItem().DocumentId.ShouldBe(document);
        var asked = JsonDocument.Parse(_sent.ShouldHaveSingleItem().Body).RootElement;
        asked.GetProperty("query").GetString().ShouldBe("how long do refunds take?");
        asked.GetProperty("top").GetInt32().ShouldBe(3);
        var messages = _inner.Messages.ShouldNotBeNull();
        messages.Count.ShouldBe(2);
        messages[0].Role.ShouldBe(ChatRole.System);
        messages[0].Text.ShouldContain("[1] refunds.md — Refunds\nRefunds take 14 days.");
        messages[1].Text.ShouldBe("how long do refunds take?");
    }

    [Fact]
    public async Task Retrieval_NotAskedFor_SearchesNothing_AndPassesTheMessagesOn()
    {
        var call = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"hi"}]}""");

        await new RetrievalChatClient(_inner, new KnowledgeClient(Http(), NullLogger<KnowledgeClient>.Instance))
            .GetResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation);

        _sent.ShouldBeEmpty();
        call.Citations.ShouldBeNull();
        _inner.Messages.ShouldBe(call.Request.Messages);
    }

    [Fact]
    public async Task Execution_Whole_MetersTheModelThatAnswered_AndHandsTheRouteOn()
    {
        _answer = request =>
        {
            var response = Json(new ChatResponse(new ChatMessage(ChatRole.Assistant, "4"))
            {
                Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 1, TotalTokenCount = 13 },
            }, ExecutionJson.Options);
            RouteHeaders(response, "mock/mock-2", attempts: 2);
            return response;
        };
        var call = Call("""{"model":"mock/mock-1","fallbacks":["mock/mock-2"],"messages":[{"role":"user","content":"2+2?"}]}""");

        var answer = await new OrchestratorChatClient(Orchestrator()).GetResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation);

        answer.Text.ShouldBe("4");
        call.Usage.InputTokens.ShouldBe(12);
        call.Usage.OutputTokens.ShouldBe(1);
        call.Usage.Model.ShouldNotBeNull().QualifiedId.ShouldBe("mock/mock-2");
        var route = RouteInfo.Of(answer.AdditionalProperties).ShouldNotBeNull();
        route.Model.ShouldBeSameAs(call.Usage.Model);
        route.Attempts.ShouldBe("2");
        _sent.ShouldHaveSingleItem().Request.RequestUri!.AbsolutePath.ShouldBe("/internal/v1/chat");
        RouteInfo.Without(answer).AdditionalProperties.ShouldBeNull("a cache keeps the answer, not the route this call took");
    }

    [Fact]
    public async Task Execution_ProviderError_IsTheCallsError_WithItsRoute()
    {
        _answer = _ =>
        {
            var response = Json(new ExecutionError(429, "slow down", "requests", "rate_limit_exceeded", 3), ExecutionJson.Options, HttpStatusCode.TooManyRequests);
            RouteHeaders(response, model: null, attempts: 1);
            return response;
        };
        var call = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"hi"}]}""");

        var failure = await Should.ThrowAsync<ChatCallException>(() => new OrchestratorChatClient(Orchestrator()).GetResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation));

        failure.Error.ShouldBe(new ExecutionError(429, "slow down", "requests", "rate_limit_exceeded", 3));
        failure.Route.ShouldNotBeNull().Strategy.ShouldBe(RouteStrategies.Single);
        call.Usage.InputTokens.ShouldBe(0);
    }

    [Fact]
    public async Task Execution_Stream_RelaysUpdates_RouteOnTheFirst_UsageMeteredWhenItComes()
    {
        _answer = _ => Stream(
            new ChatStreamLine(new ChatResponseUpdate(ChatRole.Assistant, "Hel"), null),
            new ChatStreamLine(new ChatResponseUpdate(ChatRole.Assistant, [new TextContent("lo"), new UsageContent(new UsageDetails { InputTokenCount = 5, OutputTokenCount = 2 })]), null));
        var call = Call("""{"model":"mock/mock-1","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var updates = await new OrchestratorChatClient(Orchestrator()).GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation).ToListAsync(Cancellation);

        updates.Select(u => u.Text).ShouldBe(["Hel", "lo"]);
        RouteInfo.Of(updates[0].AdditionalProperties).ShouldNotBeNull().Model.ShouldNotBeNull().QualifiedId.ShouldBe("mock/mock-1");
        RouteInfo.Of(updates[1].AdditionalProperties).ShouldBeNull();
        (call.Usage.InputTokens, call.Usage.OutputTokens).ShouldBe((5, 2));
        _sent.ShouldHaveSingleItem().Request.RequestUri!.AbsolutePath.ShouldBe("/internal/v1/chat/stream");
    }

    [Fact]
    public async Task Execution_StreamReportsAFailure_EndsTheCallWithIt_AfterWhatCameBefore()
    {
        _answer = _ => Stream(
            new ChatStreamLine(new ChatResponseUpdate(ChatRole.Assistant, "Hel"), null),
            new ChatStreamLine(null, new ExecutionError(502, "provider went away", "api_error", "provider_error")));
        var call = Call("""{"model":"mock/mock-1","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var received = new List<ChatResponseUpdate>();

        var failure = await Should.ThrowAsync<ChatCallException>(async () =>
        {
            await foreach (var update in new OrchestratorChatClient(Orchestrator()).GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation))
            {
                received.Add(update);
            }
        });

        received.ShouldHaveSingleItem().Text.ShouldBe("Hel");
        failure.Error.Code.ShouldBe("provider_error");
    }

    [Fact]
    public async Task Execution_StreamBreaksOff_Is502()
    {
        _answer = _ => new HttpResponseMessage { Content = new StringContent("{\"upd") };
        var call = Call("""{"model":"mock/mock-1","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var failure = await Should.ThrowAsync<ChatCallException>(() =>
            new OrchestratorChatClient(Orchestrator()).GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation).ToListAsync(Cancellation).AsTask());

        failure.Error.Status.ShouldBe(502);
        failure.Error.Code.ShouldBe("orchestrator_error");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SemanticCache_StoresAModelsAnswer_AndAnswersTheSameQuestionAskedWithOtherOptions(bool streamed)
    {
        // One cache, as a Gateway has: the second question comes while the first answer may still be being stored.
        var semantic = Semantic();
        var first = Call("""{"model":"mock/mock-1","temperature":0.1,"messages":[{"role":"user","content":"What is your refund policy?"}]}""", cacheKey: "exact-1");
        await RunAsync(semantic, first, streamed);
        var again = Call("""{"model":"mock/mock-1","temperature":0.3,"messages":[{"role":"user","content":"What is your refund policy?"}]}""", cacheKey: "exact-2");

        var answer = await RunAsync(semantic, again, streamed);

        _inner.Calls.ShouldBe(1);
        answer.Text.ShouldBe("Hello");
        again.Usage.Cache.ShouldBe(CacheStatus.SemanticHit);
        again.Similarity.ShouldNotBeNull().ShouldBeGreaterThan(0.99f);
    }

    [Fact]
    public async Task SemanticCache_Refresh_AsksTheModel_AndStoresItsAnswer()
    {
        await RunAsync(Semantic(), Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"Refund policy?"}]}""", cacheKey: "exact-1"), streamed: false);
        var refresh = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"Refund policy?"}]}""", cacheKey: "exact-1", refresh: true);

        await RunAsync(Semantic(), refresh, streamed: false);

        _inner.Calls.ShouldBe(2);
        refresh.Usage.Cache.ShouldBe(CacheStatus.Refresh);
        // Stored off the request's path, once the question is embedded.
        for (var waited = 0; _spaces.Values.Sum(space => space.Length) < 2 && waited < 100; waited++)
        {
            await Task.Delay(50, Cancellation);
        }
        _spaces.ShouldHaveSingleItem().Value.Length.ShouldBe(2);
    }

    [Fact]
    public async Task SemanticCache_WithTooManyAnswersWaitingToBeStored_AnswersWithoutStoring()
    {
        var semantic = Semantic(new CacheOptions { SemanticPendingStores = 0 });

        var first = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"What is your refund policy?"}]}""", cacheKey: "exact-1");
        (await RunAsync(semantic, first, streamed: false)).Text.ShouldBe("Hello");
        var again = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"What is your refund policy?"}]}""", cacheKey: "exact-2");
        await RunAsync(semantic, again, streamed: false);

        again.Usage.Cache.ShouldBe(CacheStatus.Miss);
        _inner.Calls.ShouldBe(2);
        _spaces.ShouldBeEmpty();
    }

    [Fact]
    public async Task SemanticCache_ExactCacheBypassed_IsNotAsked()
    {
        var call = Call("""{"model":"mock/mock-1","messages":[{"role":"user","content":"Refund policy?"}]}""", cacheKey: null);
        call.Usage.Cache = CacheStatus.Bypass;

        await RunAsync(Semantic(), call, streamed: true);

        _spaces.ShouldBeEmpty();
        _inner.Calls.ShouldBe(1);
    }

    public void Dispose()
    {
        _inner.Dispose();
    }

    private static async Task<ChatResponse> RunAsync(SemanticCacheChatClient client, ChatCall call, bool streamed)
    {
        // As the exact cache stage leaves it on a miss or a refresh.
        if (call.CacheKey is not null)
        {
            call.Usage.Cache = call.RefreshCache ? CacheStatus.Refresh : CacheStatus.Miss;
        }
        return streamed
            ? (await client.GetStreamingResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation).ToListAsync(Cancellation)).ToChatResponse()
            : await client.GetResponseAsync(call.Request.Messages, call.ToOptions(), Cancellation);
    }

    private ChatCall Call(string json, bool route = true, string? cacheKey = null, bool refresh = false)
    {
        var request = Read(json);
        return new ChatCall
        {
            Key = _key,
            Request = request,
            Usage = new UsageRecord(),
            InputTokenEstimate = json.Length / 4,
            Candidates = [],
            Route = route ? RoutePlanning.Plan(_catalog, _key, request).Plan : null,
            CacheKey = cacheKey,
            RefreshCache = refresh,
        };
    }

    private SemanticCacheChatClient Semantic(CacheOptions? settings = null)
    {
        var database = RedisFake.Create<IDatabase>(new()
        {
            ["ListLengthAsync"] = args => Task.FromResult((long)Space(args[0]).Length),
            ["ListRangeAsync"] = args => Task.FromResult(Space(args[0])[(int)(long)args[1]!..((int)(long)args[2]! + 1)]),
            ["ListGetByIndexAsync"] = args => Task.FromResult(Space(args[0])[(int)(long)args[1]!]),
            // The append script: (script, [space], [entry, max entries, lifetime], flags).
            ["ScriptEvaluate"] = args =>
            {
                var space = ((RedisKey[])args[1]!)[0].ToString();
                var entry = ((RedisValue[])args[2]!)[0];
                // Atomic, as Redis's RPUSH is: stores made off the request's path may append at the same moment.
                _spaces.AddOrUpdate(space, [entry], (_, entries) => [.. entries, entry]);
                return RedisResult.Create(1);
            },
        });
        var redis = RedisFake.Create<IConnectionMultiplexer>(new() { ["GetDatabase"] = _ => database });
        var options = Options.Create(settings ?? new CacheOptions());
        var cache = new SemanticCache(redis, _catalog, LocalEmbeddings, new QuestionVerifier(LocalEmbeddings, options), options, new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), NullLogger<SemanticCache>.Instance);
        return new SemanticCacheChatClient(_inner, cache, Orchestrator());
    }

    private RedisValue[] Space(object? key) => _spaces.GetValueOrDefault(key!.ToString()!) ?? [];

    private OrchestratorClient Orchestrator() => new(Http(), _catalog);

    private HttpClient Http() => new(new Handler(this)) { BaseAddress = new Uri("http://service/") };

    private static HttpResponseMessage Json<T>(T value, JsonSerializerOptions? options = null, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = JsonContent.Create(value, options: options ?? JsonSerializerOptions.Web) };

    private static HttpResponseMessage Stream(params ChatStreamLine[] lines)
    {
        var body = new StringBuilder();
        foreach (var line in lines)
        {
            body.Append(JsonSerializer.Serialize(line, ExecutionJson.Options)).Append('\n');
        }
        var response = new HttpResponseMessage { Content = new StringContent(body.ToString()) };
        RouteHeaders(response, "mock/mock-1", attempts: 1);
        return response;
    }

    private static void RouteHeaders(HttpResponseMessage response, string? model, int attempts)
    {
        if (model is not null)
        {
            response.Headers.Add(Platform.Contracts.RouteHeaders.Model, model);
        }
        response.Headers.Add(Platform.Contracts.RouteHeaders.Strategy, RouteStrategies.Single);
        response.Headers.Add(Platform.Contracts.RouteHeaders.Attempts, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class Handler(ChatStageTests test) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Read now: the client disposes its request when the call returns.
            test._sent.Add((request, request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            return test._answer(request);
        }
    }

    /// <summary>The next stage: records what reached it and answers "Hello" with usage, whole or streamed.</summary>
    private sealed class Recorder : IChatClient
    {
        public int Calls { get; private set; }

        public IList<ChatMessage>? Messages { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            (await GetStreamingResponseAsync(messages, options, cancellationToken).ToListAsync(cancellationToken)).ToChatResponse();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Calls++;
            Messages = [.. messages];
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel");
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent("lo"), new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 1 })]);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
