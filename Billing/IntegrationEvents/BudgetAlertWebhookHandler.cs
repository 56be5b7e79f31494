using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.Infrastructure;
using Billing.Model;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationEvents;

/// <summary>
/// Sends a budget alert to the tenant's webhook, signed: <c>X-Webhook-Signature: v1=hex(HMAC-SHA256(secret,
/// "{X-Webhook-Timestamp}.{body}"))</c>, with the alert's id in <c>X-Webhook-Id</c> for the receiver to drop
/// repeats. A failed delivery throws, so JetStream retries it with backoff; a delivered one is never sent again.
/// </summary>
public sealed class BudgetAlertWebhookHandler(BillingDbContext db, TenantContext tenant, IHttpClientFactory clients, TimeProvider time)
    : IIntegrationEventHandler<BudgetAlertIntegrationEvent>
{
    public const string ClientName = "webhooks";

    public async Task HandleAsync(BudgetAlertIntegrationEvent alert, CancellationToken cancellationToken)
    {
        tenant.Enter(alert.TenantId);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.AlertId == alert.Id, cancellationToken);
        if (delivery?.DeliveredAt is not null || await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(cancellationToken) is not { } webhook)
        {
            return;
        }
        if (delivery is null)
        {
            delivery = new WebhookDelivery { AlertId = alert.Id, TenantId = alert.TenantId, Url = webhook.Url };
            db.WebhookDeliveries.Add(delivery);
        }

        var body = JsonSerializer.Serialize(new
        {
            id = alert.Id,
            type = "budget.threshold_crossed",
            createdAt = alert.OccurredAt,
            data = new { alert.BudgetId, alert.KeyId, alert.Period, alert.PeriodStart, alert.Threshold, alert.Limit, alert.Spent },
        }, JsonSerializerOptions.Web);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Webhook-Id", alert.Id.ToString());
        request.Headers.Add("X-Webhook-Timestamp", timestamp);
        request.Headers.Add("X-Webhook-Signature", $"v1={Sign(webhook.Secret, timestamp, body)}");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ai-platform-billing", "1"));

        delivery.Attempts++;
        delivery.LastAttemptAt = time.GetUtcNow();
        Exception? failure = null;
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            delivery.LastStatus = (int)response.StatusCode;
            delivery.LastError = response.IsSuccessStatusCode ? null : $"The receiver answered {(int)response.StatusCode}.";
            delivery.DeliveredAt = response.IsSuccessStatusCode ? time.GetUtcNow() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            failure = ex;
            delivery.LastError = ex.Message.Length > 1024 ? ex.Message[..1024] : ex.Message;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (delivery.DeliveredAt is null)
        {
            throw new HttpRequestException($"Webhook delivery of alert {alert.Id} failed: {delivery.LastError}", failure);
        }
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
