using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Platform.Testing.Mocks;

/// <summary>
/// A tenant's webhook endpoint on a real port: records every delivery attempt and answers 500 to the first
/// <see cref="FailFirstAttempts"/> attempts of each event id, to exercise the sender's retries.
/// </summary>
public sealed class WebhookReceiver : MockServer
{
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public int FailFirstAttempts { get; set; }

    /// <summary>When set, every attempt is answered with a temporary redirect there.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>Every attempt, failed or not, in arrival order.</summary>
    public ConcurrentQueue<WebhookAttempt> Attempts { get; } = new();

    public string Url => $"{Root}/hooks/billing";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.StartAsync(app => app.MapPost("/hooks/billing", receiver.ReceiveAsync));
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var id = http.Request.Headers["X-Webhook-Id"].ToString();
        var attempt = _attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
        var accepted = attempt > FailFirstAttempts;
        Attempts.Enqueue(new WebhookAttempt(id, http.Request.Headers["X-Webhook-Timestamp"].ToString(), http.Request.Headers["X-Webhook-Signature"].ToString(),
            body, JsonNode.Parse(body)!.AsObject(), accepted));
        if (RedirectTo is not null)
        {
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = RedirectTo;
            return;
        }
        http.Response.StatusCode = accepted ? StatusCodes.Status204NoContent : StatusCodes.Status500InternalServerError;
    }
}

public sealed record WebhookAttempt(string Id, string Timestamp, string Signature, string Body, JsonObject Json, bool Accepted);
