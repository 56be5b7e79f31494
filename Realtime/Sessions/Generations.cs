using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace Realtime.Sessions;

/// <summary>
/// The answers sessions ask for, one at a time per session (<see cref="SessionStore.TryBeginGenerationAsync"/>), each
/// a streamed <c>/v1/chat/completions</c> through the Gateway's own pipeline as the session's key (limits, budgets,
/// caches, routing, metering), its chunks turned into session events (<see cref="SessionHub.PublishAsync"/>). A
/// generation belongs to its session, not to the socket that asked: it runs on while no socket follows the session,
/// for <see cref="RealtimeOptions.GraceTime"/>, and is then cancelled, the Gateway metering what it used.
/// </summary>
public sealed partial class Generations(
    SessionHub hub, SessionStore store, INatsConnection nats, IHttpClientFactory httpClients, InternalTokenIssuer tokens,
    IOptions<RealtimeOptions> options, RealtimeMetrics metrics, IHostApplicationLifetime lifetime, ILogger<Generations> logger)
{
    public const string HttpClientName = "gateway";

    // This replica's answers that have sent their last event and not yet let go of their session: each until it has.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _ending = new();

    /// <summary>Starts the answer <paramref name="start"/> asks for; false while the session has one running.</summary>
    public async Task<bool> TryStartAsync(string sessionId, Guid tenantId, Guid keyId, StartRequest start)
    {
        var owner = $"{hub.Replica}:{start.RequestId}";
        if (!await store.TryBeginGenerationAsync(sessionId, owner) && !await AfterTheAnswerBeforeAsync(sessionId, owner))
        {
            return false;
        }
        _ = Task.Run(() => RunAsync(sessionId, tenantId, keyId, start, owner));
        return true;
    }

    /// <summary>
    /// A start sent as soon as the answer before it ended may arrive before that answer let go of its session: it
    /// waits for that, briefly, when the answer ran here.
    /// </summary>
    private async Task<bool> AfterTheAnswerBeforeAsync(string sessionId, string owner)
    {
        if (!_ending.TryGetValue(sessionId, out var ending))
        {
            return false;
        }
        try
        {
            await ending.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            return false;
        }
        return await store.TryBeginGenerationAsync(sessionId, owner);
    }

    private async Task RunAsync(string sessionId, Guid tenantId, Guid keyId, StartRequest start, string owner)
    {
        var requestId = start.RequestId;
        metrics.Generations(+1);
        var seq = 0L;
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            seq = await store.LastSeqAsync(sessionId);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            stop.CancelAfter(options.Value.MaxGenerationTime);
            using var grace = new CancellationTokenSource();
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, grace.Token);
            var reason = new CancelReason();
            await using var control = await nats.SubscribeCoreAsync<string>(SessionHub.ControlSubject(sessionId), cancellationToken: cancel.Token);
            var watching = WatchAsync(control, sessionId, stop, grace, reason, cancel.Token);
            // The socket that asked may have left before the generation listened for it.
            if (await store.SocketsAsync(sessionId) <= 0)
            {
                grace.CancelAfter(options.Value.GraceTime);
            }

            var stream = StreamAsync(tenantId, keyId, start, () => ++seq, cancel.Token).GetAsyncEnumerator(CancellationToken.None);
            try
            {
                while (true)
                {
                    SessionEvent @event;
                    try
                    {
                        if (!await stream.MoveNextAsync())
                        {
                            break;
                        }
                        @event = stream.Current;
                    }
                    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                    {
                        var why = reason.Value ?? (grace.IsCancellationRequested ? "grace_expired" : lifetime.ApplicationStopping.IsCancellationRequested ? "shutdown" : "time_limit");
                        @event = SessionEvent.Create(++seq, SessionEvent.Done, requestId, SessionEvent.Now(), json =>
                        {
                            json.WriteString("finish_reason", "cancelled");
                            json.WriteString("reason", why);
                        });
                        _ending[sessionId] = released.Task;
                        await hub.PublishAsync(sessionId, @event);
                        break;
                    }
                    // The client may start its next answer as soon as it has this one's last event, before the
                    // session is let go: from here on such a start waits for that rather than being refused.
                    if (@event.Type is SessionEvent.Done or SessionEvent.Error)
                    {
                        _ending[sessionId] = released.Task;
                    }
                    await hub.PublishAsync(sessionId, @event);
                }
            }
            finally
            {
                _ending[sessionId] = released.Task;
                await stream.DisposeAsync();
                await cancel.CancelAsync();
                await watching;
            }
        }
        catch (Exception ex)
        {
            LogGenerationFailed(logger, ex, sessionId, requestId);
        }
        finally
        {
            try
            {
                await store.EndGenerationAsync(sessionId, owner, seq);
            }
            catch (Exception ex)
            {
                // The lock lapses after MaxGenerationTime; the next generation reads the last seq from the kept events.
                LogGenerationFailed(logger, ex, sessionId, requestId);
            }
            released.TrySetResult();
            _ending.TryRemove(new KeyValuePair<string, Task>(sessionId, released.Task));
            metrics.Generations(-1);
        }
    }

    /// <summary>Cancels, and sockets leaving and joining: the last to leave starts the grace time, a join ends it.</summary>
    private async Task WatchAsync(INatsSub<string> control, string sessionId, CancellationTokenSource stop, CancellationTokenSource grace, CancelReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in control.Msgs.ReadAllAsync(cancellationToken))
            {
                if (message.Data == SessionHub.Cancel)
                {
                    reason.Value = "client";
                    await stop.CancelAsync();
                    return;
                }
                if (message.Data == SessionHub.Joined)
                {
                    grace.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                else if (message.Data == SessionHub.Left && await store.SocketsAsync(sessionId) <= 0)
                {
                    grace.CancelAfter(options.Value.GraceTime);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The generation ended.
        }
    }

    /// <summary>The Gateway's answer as session events: deltas, agent steps, usage, and a done or an error at the end.</summary>
    private async IAsyncEnumerable<SessionEvent> StreamAsync(Guid tenantId, Guid keyId, StartRequest start, Func<long> nextSeq,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var requestId = start.RequestId;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(start.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (start.CacheControl is { } cacheControl)
        {
            request.Headers.CacheControl = CacheControlHeaderValue.Parse(cacheControl);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.IssueForRealtimeSession(tenantId, keyId));
        var (response, unreachable) = await SendAsync(request, cancellationToken);
        if (response is null)
        {
            yield return SessionEvent.CreateError(nextSeq(), requestId, 503, unreachable!, "api_error", "gateway_unavailable");
            yield break;
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                yield return await RefusalAsync(response, nextSeq(), requestId, cancellationToken);
                yield break;
            }
            var route = response.Headers.TryGetValues("x-route", out var routes) ? routes.First() : null;
            var cache = response.Headers.TryGetValues("x-cache", out var caches) ? caches.First() : null;
            string? model = null, finishReason = null;
            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            var items = SseParser.Create(content).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (await NextAsync(items, cancellationToken))
                {
                    var produced = SessionEvent.Now();
                    if (items.Current.Data == "[DONE]")
                    {
                        yield return SessionEvent.Create(nextSeq(), SessionEvent.Done, requestId, produced, json =>
                        {
                            json.WriteString("finish_reason", finishReason ?? "stop");
                            json.WriteString("model", model);
                            json.WriteString("route", route);
                            json.WriteString("cache", cache);
                        });
                        yield break;
                    }
                    using var chunk = JsonDocument.Parse(items.Current.Data);
                    var root = chunk.RootElement;
                    if (root.TryGetProperty("error", out var error))
                    {
                        yield return SessionEvent.Create(nextSeq(), SessionEvent.Error, requestId, produced, json =>
                        {
                            json.WritePropertyName("error");
                            error.WriteTo(json);
                        });
                        yield break;
                    }
                    model ??= root.TryGetProperty("model", out var named) ? named.GetString() : null;
                    if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0)
                    {
                        var choice = choices[0];
                        if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var text) && text.GetString() is { Length: > 0 } piece)
                        {
                            yield return SessionEvent.CreateDelta(nextSeq(), requestId, piece, produced);
                        }
                        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
                        {
                            finishReason = finish.GetString();
                        }
                    }
                    if (root.TryGetProperty("agent_step", out var step))
                    {
                        yield return SessionEvent.Create(nextSeq(), SessionEvent.Tool, requestId, produced, json =>
                        {
                            json.WritePropertyName("step");
                            step.WriteTo(json);
                        });
                    }
                    if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    {
                        yield return SessionEvent.Create(nextSeq(), SessionEvent.Usage, requestId, produced, json =>
                        {
                            json.WritePropertyName("usage");
                            usage.WriteTo(json);
                        });
                    }
                }
            }
            finally
            {
                await items.DisposeAsync();
            }
            yield return SessionEvent.CreateError(nextSeq(), requestId, 502, "The answer's stream broke off before it ended.", "api_error", "stream_broken");
        }
    }

    private async Task<(HttpResponseMessage? Response, string? Failure)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return (await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken), null);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"The gateway could not be reached: {ex.Message}");
        }
    }

    /// <summary>Whether the stream has another item; a stream that broke off has none, unless it was cancelled.</summary>
    private static async Task<bool> NextAsync(IAsyncEnumerator<SseItem<string>> items, CancellationToken cancellationToken)
    {
        try
        {
            return await items.MoveNextAsync();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>The Gateway's refusal (a limit, a budget, a bad request) as an error event with its status and when to retry.</summary>
    private static async Task<SessionEvent> RefusalAsync(HttpResponseMessage response, long seq, string requestId, CancellationToken cancellationToken)
    {
        var retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        JsonElement? error = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            error = body.RootElement.TryGetProperty("error", out var found) ? found.Clone() : null;
        }
        catch (JsonException)
        {
            // Not OpenAI's shape: the status speaks.
        }
        return error is { } shaped
            ? SessionEvent.Create(seq, SessionEvent.Error, requestId, SessionEvent.Now(), json =>
            {
                json.WriteNumber("status", (int)response.StatusCode);
                if (retryAfter is { } seconds)
                {
                    json.WriteNumber("retry_after", seconds);
                }
                json.WritePropertyName("error");
                shaped.WriteTo(json);
            })
            : SessionEvent.CreateError(seq, requestId, (int)response.StatusCode, $"The gateway answered {(int)response.StatusCode}.", "api_error", null, retryAfter);
    }

    private sealed class CancelReason
    {
        public string? Value { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}'s generation {RequestId} failed.")]
    private static partial void LogGenerationFailed(ILogger logger, Exception exception, string sessionId, string requestId);
}
