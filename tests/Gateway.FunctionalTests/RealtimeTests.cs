using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace Gateway.FunctionalTests;

// /ws/chat through the Gateway, served by two Realtime replicas.
public sealed class RealtimeTests(PlatformFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Uri Gateway => platform.App.GetEndpoint("gateway");

    [Fact]
    public async Task StreamedAnswer_MatchesTheSseAnswer_WithSeqsFromOne()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-sse" });
        var question = $"tell me about sockets {Guid.NewGuid():N}";
        var sse = new StringBuilder();
        await foreach (var update in platform.CreateOpenAiClient(key).GetChatClient("mock-ws").CompleteChatStreamingAsync([new UserChatMessage(question)], cancellationToken: Cancellation))
        {
            sse.AppendJoin("", update.ContentUpdate.Select(part => part.Text));
        }
        using var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);

        var session = (await client.ReceiveAsync(Cancellation))!.Value;
        await client.SendAsync(new { type = "start", request_id = "r1", model = "mock-ws", messages = new[] { new { role = "user", content = question } }, cache = "no-store" }, Cancellation);
        var events = await client.ReceiveUntilAsync(RealtimeClient.Ends, Cancellation);

        session.GetProperty("type").GetString().ShouldBe("session");
        session.GetProperty("seq").GetInt64().ShouldBe(0);
        RealtimeClient.TextOf(events).ShouldBe(sse.ToString());
        ShouldFollowOneAnotherFromOne(events);
        events.ShouldAllBe(e => e.GetProperty("request_id").GetString() == "r1");
        var usage = events.Single(e => e.GetProperty("type").GetString() == "usage").GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().ShouldBe(Platform.Testing.Mocks.MockOpenAiServer.PromptTokens);
        usage.GetProperty("completion_tokens").GetInt32().ShouldBe(sse.ToString().Split(' ').Length);
        var done = events[^1];
        done.GetProperty("type").GetString().ShouldBe("done");
        done.GetProperty("finish_reason").GetString().ShouldBe("stop");
        done.GetProperty("route").GetString()!.ShouldStartWith("mock/mock-ws");
    }

    [Fact]
    public async Task AStartSentAsSoonAsTheAnswerBeforeIsDone_IsAnswered()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-back-to-back" });
        using var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
        await client.ReceiveAsync(Cancellation);
        var ends = new List<JsonElement>();

        for (var turn = 0; turn < 20; turn++)
        {
            await client.SendAsync(new { type = "start", request_id = $"t{turn}", model = "mock-ws", messages = new[] { new { role = "user", content = $"turn {turn}" } } }, Cancellation);
            ends.Add((await client.ReceiveUntilAsync(RealtimeClient.Ends, Cancellation))[^1]);
        }

        ends.ShouldAllBe(e => e.GetProperty("type").GetString() == "done", RealtimeClient.Show(ends));
    }

    [Fact]
    public async Task ABadKey_GetsAnErrorEvent_ThenAClose1008()
    {
        using var client = await RealtimeClient.ConnectAsync(Gateway, "sk-aip-not-a-key", Cancellation);

        var error = (await client.ReceiveAsync(Cancellation))!.Value;
        var closed = await client.ReceiveAsync(Cancellation);

        error.GetProperty("type").GetString().ShouldBe("error");
        error.GetProperty("status").GetInt32().ShouldBe(401);
        error.GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_api_key");
        closed.ShouldBeNull();
        ((int?)client.Socket.CloseStatus).ShouldBe(1008);
    }

    [Fact]
    public async Task ABrowser_OffersItsKeyAsASubprotocol_AndIsGrantedOnlyTheProtocol()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-browser" });

        using var client = await RealtimeClient.ConnectAsync(Gateway, key: null, Cancellation, subprotocols: ["aiplatform.v1", $"bearer.{key}"]);
        await client.ReceiveAsync(Cancellation);
        await client.SendAsync(new { type = "ping" }, Cancellation);
        var pong = (await client.ReceiveAsync(Cancellation))!.Value;

        client.Socket.SubProtocol.ShouldBe("aiplatform.v1");
        pong.GetProperty("type").GetString().ShouldBe("pong");
    }

    [Fact]
    public async Task BadMessages_GetErrorEvents_AndTheSocketLivesOn()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-bad" });
        using var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
        await client.ReceiveAsync(Cancellation);

        await client.Socket.SendAsync("{not json"u8.ToArray(), WebSocketMessageType.Text, true, Cancellation);
        var notJson = (await client.ReceiveAsync(Cancellation))!.Value;
        await client.SendAsync(new { type = "start", model = "mock-ws" }, Cancellation);
        var noMessages = (await client.ReceiveAsync(Cancellation))!.Value;
        await client.SendAsync(new { type = "start", model = "no-such-model", messages = new[] { new { role = "user", content = "hi" } } }, Cancellation);
        var unknownModel = (await client.ReceiveAsync(Cancellation))!.Value;
        await client.SendAsync(new { type = "resume", session_id = Guid.NewGuid().ToString("N"), last_seq = 0 }, Cancellation);
        var noSession = (await client.ReceiveAsync(Cancellation))!.Value;
        await client.Socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, Cancellation);
        var empty = (await client.ReceiveAsync(Cancellation))!.Value;
        // A message may come in frames.
        foreach (var (part, last) in new[] { ("{\"ty", false), ("pe\":\"pi", false), ("ng\"}", true) })
        {
            await client.Socket.SendAsync(Encoding.UTF8.GetBytes(part), WebSocketMessageType.Text, last, Cancellation);
        }
        var pong = (await client.ReceiveAsync(Cancellation))!.Value;

        notJson.GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_message");
        noMessages.GetProperty("status").GetInt32().ShouldBe(400);
        noMessages.GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_start");
        // The Gateway's own refusal, as its status and OpenAI's error.
        unknownModel.GetProperty("status").GetInt32().ShouldBe(404);
        unknownModel.GetProperty("error").GetProperty("code").GetString().ShouldBe("model_not_found");
        noSession.GetProperty("error").GetProperty("code").GetString().ShouldBe("session_not_found");
        empty.GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_message");
        pong.GetProperty("type").GetString().ShouldBe("pong");
        client.Socket.State.ShouldBe(WebSocketState.Open);
    }

    [Fact]
    public async Task AMessageOverTheLimit_ClosesTheSocketWith1009()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-big" });
        using var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
        await client.ReceiveAsync(Cancellation);

        // Realtime:MaxMessageBytes is 1 MiB: a start whose content is longer, sent in 64 KiB frames.
        var message = Encoding.UTF8.GetBytes($$"""{"type":"start","model":"mock-ws","messages":[{"role":"user","content":"{{new string('a', 1024 * 1024)}}"}]}""");
        try
        {
            for (var sent = 0; sent < message.Length; sent += 64 * 1024)
            {
                var part = message.AsMemory(sent, Math.Min(64 * 1024, message.Length - sent));
                await client.Socket.SendAsync(part, WebSocketMessageType.Text, sent + part.Length == message.Length, Cancellation);
            }
        }
        catch (WebSocketException)
        {
            // Closed before the last frame went.
        }

        (await client.ReceiveAsync(Cancellation)).ShouldBeNull();
        client.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.MessageTooBig);
        client.Socket.CloseStatusDescription.ShouldBe("A message may have at most 1048576 bytes.");
    }

    [Fact]
    public async Task ASecondStart_WhileAnAnswerRuns_IsRefused_AndCancelEndsTheFirst()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-cancel" });
        platform.MockOpenAi.WordDelays["mock-ws-slow"] = TimeSpan.FromMilliseconds(50);
        using var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
        await client.ReceiveAsync(Cancellation);
        var words = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"w{i}"));

        await client.SendAsync(new { type = "start", request_id = "long", model = "mock-ws-slow", messages = new[] { new { role = "user", content = words } } }, Cancellation);
        await client.ReceiveUntilAsync(e => e.GetProperty("type").GetString() == "delta", Cancellation);
        await client.SendAsync(new { type = "start", request_id = "second", model = "mock-ws", messages = new[] { new { role = "user", content = "me too" } } }, Cancellation);
        var refused = await client.ReceiveUntilAsync(e => e.GetProperty("type").GetString() == "error", Cancellation);
        await client.SendAsync(new { type = "cancel" }, Cancellation);
        var ended = await client.ReceiveUntilAsync(RealtimeClient.Ends, Cancellation);

        refused[^1].GetProperty("request_id").GetString().ShouldBe("second");
        refused[^1].GetProperty("error").GetProperty("code").GetString().ShouldBe("generation_in_progress");
        ended[^1].GetProperty("type").GetString().ShouldBe("done");
        ended[^1].GetProperty("request_id").GetString().ShouldBe("long");
        ended[^1].GetProperty("finish_reason").GetString().ShouldBe("cancelled");
        ended[^1].GetProperty("reason").GetString().ShouldBe("client");
    }

    [Fact]
    public async Task AClientThatDropsMidAnswer_ResumesOnTheOtherReplica_AndGetsEveryEventOnceInOrder_MeteredOnce()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-resume" });
        platform.MockOpenAi.WordDelays["mock-ws-slow"] = TimeSpan.FromMilliseconds(50);
        var words = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        var first = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
        var session = (await first.ReceiveAsync(Cancellation))!.Value;
        var (sessionId, replica) = (session.GetProperty("session_id").GetString()!, session.GetProperty("replica").GetString()!);

        await first.SendAsync(new { type = "start", model = "mock-ws-slow", messages = new[] { new { role = "user", content = words } }, cache = "no-store" }, Cancellation);
        var before = new List<JsonElement>();
        while (before.Count(e => e.GetProperty("type").GetString() == "delta") < 5)
        {
            before.Add((await first.ReceiveAsync(Cancellation))!.Value);
        }
        // Dropped, not closed: as a phone going into a tunnel.
        first.Socket.Abort();
        first.Dispose();
        using var second = await ConnectToAnotherReplicaAsync(key, replica);
        await second.SendAsync(new { type = "resume", session_id = sessionId, last_seq = before[^1].GetProperty("seq").GetInt64() }, Cancellation);
        var after = await second.ReceiveUntilAsync(RealtimeClient.Ends, Cancellation);

        var resumed = after[0];
        resumed.GetProperty("type").GetString().ShouldBe("session");
        resumed.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        resumed.GetProperty("session_id").GetString().ShouldBe(sessionId);
        resumed.GetProperty("replica").GetString().ShouldNotBe(replica);
        var all = before.Concat(after.Skip(1)).ToList();
        ShouldFollowOneAnotherFromOne(all);
        RealtimeClient.TextOf(all).ShouldBe($"mock: {words}");
        all[^1].GetProperty("type").GetString().ShouldBe("done");
        var usage = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 1);
        usage.Count.ShouldBe(1);
        usage[0].Model.ShouldBe("mock/mock-ws-slow");
        usage[0].OutputTokens.ShouldBe(61);
        usage[0].Stream.ShouldBeTrue();
    }

    [Fact]
    public async Task AnAnswerNobodyResumes_IsCancelledAfterTheGraceTime_AndBilledForWhatItStreamed()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-grace" });
        platform.MockOpenAi.WordDelays["mock-ws-slow"] = TimeSpan.FromMilliseconds(50);
        // 400 words at 50 ms: 20 s, far longer than the tests' 5 s grace time.
        var words = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"w{i}"));
        var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
        await client.ReceiveAsync(Cancellation);
        await client.SendAsync(new { type = "start", model = "mock-ws-slow", messages = new[] { new { role = "user", content = words } }, cache = "no-store" }, Cancellation);
        await client.ReceiveUntilAsync(e => e.GetProperty("type").GetString() == "delta", Cancellation);

        client.Socket.Abort();
        client.Dispose();
        var usage = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 1, timeout: TimeSpan.FromSeconds(40));

        usage.Count.ShouldBe(1);
        // Cut off after about 5 s of 20: some of the answer, not none and not all.
        usage[0].OutputTokens.ShouldBeGreaterThan(0);
        usage[0].OutputTokens.ShouldBeLessThan(words.Length / 4);
        usage[0].InputTokens.ShouldBeGreaterThan(0);
        usage[0].Cost.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task AClientThatStopsReading_IsClosedWith1013_AndRealtimeNeverHoldsMoreThanItsQueueForIt()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-slow-reader" });
        // 40 MB in 4,000 chunks of 10 KB: more than every socket buffer between the client and Realtime holds.
        var chunk = new string('x', 10_000);
        platform.MockOpenAi.FixedAnswers["mock-flood"] = string.Join(' ', Enumerable.Repeat(chunk, 4_000));
        using var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation, receiveBuffer: 16 * 1024);
        await client.ReceiveAsync(Cancellation);
        var realtime = await ReplicaWithOneSocketAsync();
        var closedBefore = Metric(await MetricsAsync(realtime), "ws_backpressure_total", "action=\"closed\"");

        await client.SendAsync(new { type = "start", model = "mock-flood", messages = new[] { new { role = "user", content = "flood me" } }, cache = "no-store" }, Cancellation);
        var mostQueued = 0d;
        await Eventually.TrueAsync(async () =>
        {
            var metrics = await MetricsAsync(realtime);
            mostQueued = Math.Max(mostQueued, Metric(metrics, "ws_send_queue_bytes"));
            return Metric(metrics, "ws_backpressure_total", "action=\"closed\"") > closedBefore;
        }, "the slow client to be closed");
        // Reading again, the client drains what the socket buffers held and finds the close.
        var received = 0;
        while (await client.ReceiveAsync(Cancellation) is not null)
        {
            received++;
        }

        ((int?)client.Socket.CloseStatus).ShouldBe(1013);
        client.Socket.CloseStatusDescription.ShouldBe("The client did not keep up with the stream.");
        received.ShouldBeLessThan(4_000);
        // What waits for the client is all Realtime holds for it: the queue's bound (Realtime:SendQueueBytes), not the 40 MB.
        mostQueued.ShouldBeLessThanOrEqualTo(256 * 1024);
    }

    /// <summary>Session events numbered 1, 2, 3, … each once: a delta joined from several (a socket behind) covers first_seq to seq.</summary>
    private static void ShouldFollowOneAnotherFromOne(List<JsonElement> events)
    {
        var expected = 1L;
        foreach (var @event in events)
        {
            var first = @event.TryGetProperty("first_seq", out var joined) ? joined.GetInt64() : @event.GetProperty("seq").GetInt64();
            first.ShouldBe(expected, RealtimeClient.Show(events));
            expected = @event.GetProperty("seq").GetInt64() + 1;
        }
    }

    /// <summary>A socket through the Gateway served by another Realtime replica than <paramref name="replica"/>: the proxy spreads new sockets over them.</summary>
    private async Task<RealtimeClient> ConnectToAnotherReplicaAsync(string key, string replica)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var client = await RealtimeClient.ConnectAsync(Gateway, key, Cancellation);
            if ((await client.ReceiveAsync(Cancellation))!.Value.GetProperty("replica").GetString() != replica)
            {
                return client;
            }
            await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Cancellation);
            client.Dispose();
        }
        throw new InvalidOperationException("Twenty sockets in a row reached the same Realtime replica.");
    }

    /// <summary>The Realtime replica holding this test's one socket (tests in this assembly run one at a time).</summary>
    private async Task<Uri> ReplicaWithOneSocketAsync()
    {
        foreach (var replica in platform.App.GetReplicaEndpoints("realtime"))
        {
            if (Metric(await MetricsAsync(replica), "ws_connections") == 1)
            {
                return replica;
            }
        }
        throw new InvalidOperationException("No Realtime replica holds exactly one socket.");
    }

    private static async Task<string> MetricsAsync(Uri replica)
    {
        using var http = new HttpClient { BaseAddress = replica };
        return await http.GetStringAsync("/metrics", Cancellation);
    }

    /// <summary>The sum of a metric's series (those with <paramref name="label"/>, when given) in Prometheus' text format.</summary>
    private static double Metric(string metrics, string name, string? label = null) => metrics.Split('\n')
        .Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{' && (label is null || line.Contains(label, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.IndexOf(' ', line.LastIndexOf('}') + 1) + 1)..].Split(' ')[0], CultureInfo.InvariantCulture));
}
