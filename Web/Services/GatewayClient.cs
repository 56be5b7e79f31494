using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Web.Services;

/// <summary>
/// The Gateway's public API, as the signed-in user: a tenant admin's session key or an operator's admin key. A refusal
/// is a <see cref="GatewayException"/> carrying the Gateway's own message.
/// </summary>
public sealed partial class GatewayClient(HttpClient http, PortalSession session)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    // Signing in and out: no session yet, or one to end.

    public async Task<SessionStarted> StartSessionAsync(string email, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/sessions", new { email, password }, cancellationToken);
        return await ReadAsync<SessionStarted>(response, cancellationToken);
    }

    /// <summary>Whether <paramref name="adminKey"/> opens the admin API.</summary>
    public async Task<bool> IsAdminKeyAsync(string adminKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/tenants");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        using var response = await http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode ? true : response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? false : throw await ErrorAsync(response, cancellationToken);
    }

    public async Task EndSessionAsync(string sessionKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/auth/sessions/current");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sessionKey);
        // Already ended or expired is as good as ended.
        using var _ = await http.SendAsync(request, cancellationToken);
    }

    // A tenant admin's pages.

    public Task<TenantInfo> GetTenantAsync(CancellationToken cancellationToken) => GetAsync<TenantInfo>("/api/v1/tenant", cancellationToken);

    public Task<CacheContents> GetCacheAsync(CancellationToken cancellationToken) => GetAsync<CacheContents>("/api/v1/cache", cancellationToken);

    public Task<CacheContents> FlushCacheAsync(CancellationToken cancellationToken) =>
        SendAsync<CacheContents>(HttpMethod.Delete, "/api/v1/cache", null, cancellationToken);

    public Task<List<KeySummary>> ListKeysAsync(CancellationToken cancellationToken) => GetAsync<List<KeySummary>>("/api/v1/keys", cancellationToken);

    public Task<CreatedKey> CreateKeyAsync(string name, string[] scopes, CancellationToken cancellationToken) =>
        SendAsync<CreatedKey>(HttpMethod.Post, "/api/v1/keys", new { name, scopes }, cancellationToken);

    public Task RevokeKeyAsync(Guid keyId, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, $"/api/v1/keys/{keyId}", null, cancellationToken);

    public Task<Timeseries> GetTimeseriesAsync(DateTimeOffset from, DateTimeOffset to, string interval, string groupBy, CancellationToken cancellationToken) =>
        GetAsync<Timeseries>($"/api/v1/analytics/timeseries?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&interval={interval}&groupBy={groupBy}", cancellationToken);

    public Task<List<BudgetStatus>> ListBudgetsAsync(CancellationToken cancellationToken) => GetAsync<List<BudgetStatus>>("/api/v1/billing/budgets", cancellationToken);

    public Task<BudgetStatus> PutBudgetAsync(string period, decimal limit, Guid? keyId, CancellationToken cancellationToken) =>
        SendAsync<BudgetStatus>(HttpMethod.Put, "/api/v1/billing/budgets", new { period, limit, keyId }, cancellationToken);

    public Task DeleteBudgetAsync(Guid id, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, $"/api/v1/billing/budgets/{id}", null, cancellationToken);

    public Task<List<AlertView>> ListAlertsAsync(CancellationToken cancellationToken) => GetAsync<List<AlertView>>("/api/v1/billing/alerts", cancellationToken);

    /// <summary>Where alerts are POSTed; null when the tenant has no webhook.</summary>
    public async Task<Webhook?> GetWebhookAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync<Webhook>("/api/v1/billing/webhook", cancellationToken);
        }
        catch (GatewayException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<WebhookCreated> PutWebhookAsync(string url, CancellationToken cancellationToken) =>
        SendAsync<WebhookCreated>(HttpMethod.Put, "/api/v1/billing/webhook", new { url }, cancellationToken);

    public Task DeleteWebhookAsync(CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, "/api/v1/billing/webhook", null, cancellationToken);

    public Task<Invoice> PreviewInvoiceAsync(CancellationToken cancellationToken) => GetAsync<Invoice>("/api/v1/billing/invoices/preview", cancellationToken);

    public Task<List<DocumentSummary>> ListDocumentsAsync(CancellationToken cancellationToken) =>
        GetAsync<List<DocumentSummary>>("/api/v1/ingestion/documents", cancellationToken);

    /// <summary>Uploads a document as multipart, reporting the bytes sent as they go.</summary>
    public async Task<DocumentSummary> UploadDocumentAsync(Stream content, string fileName, long length, IProgress<long> progress, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent { { new ProgressContent(content, length, progress), "file", fileName } };
        using var request = await AuthorizedAsync(HttpMethod.Post, "/api/v1/ingestion/documents");
        request.Content = form;
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadAsync<DocumentSummary>(response, cancellationToken);
    }

    public Task DeleteDocumentAsync(Guid id, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, $"/api/v1/ingestion/documents/{id}", null, cancellationToken);

    public async Task<List<string>> ListModelsAsync(CancellationToken cancellationToken) =>
        [.. (await GetAsync<JsonObject>("/v1/models", cancellationToken))["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>())];

    public Task<JsonObject> GetRoutingPolicyAsync(CancellationToken cancellationToken) => GetAsync<JsonObject>("/api/v1/router/policy", cancellationToken);

    // An operator's pages.

    public Task<List<TenantInfo>> ListTenantsAsync(CancellationToken cancellationToken) => GetAsync<List<TenantInfo>>("/api/v1/admin/tenants", cancellationToken);

    public Task<TenantInfo> CreateTenantAsync(string name, string plan, CancellationToken cancellationToken) =>
        SendAsync<TenantInfo>(HttpMethod.Post, "/api/v1/admin/tenants", new { name, plan }, cancellationToken);

    public Task<TenantInfo> SetTenantStatusAsync(Guid id, string status, CancellationToken cancellationToken) =>
        SendAsync<TenantInfo>(HttpMethod.Patch, $"/api/v1/admin/tenants/{id}", new { status }, cancellationToken);

    public Task<TenantUser> CreateTenantUserAsync(Guid tenantId, string email, string password, CancellationToken cancellationToken) =>
        SendAsync<TenantUser>(HttpMethod.Post, $"/api/v1/admin/tenants/{tenantId}/users", new { email, password }, cancellationToken);

    public Task<PlatformHealth> GetPlatformHealthAsync(CancellationToken cancellationToken) => GetAsync<PlatformHealth>("/api/v1/admin/health", cancellationToken);

    public Task<List<ProviderSummary>> GetProvidersAsync(CancellationToken cancellationToken) => GetAsync<List<ProviderSummary>>("/api/v1/admin/providers", cancellationToken);

    public Task<RecentErrors> GetRecentErrorsAsync(int limit, CancellationToken cancellationToken) => GetAsync<RecentErrors>($"/api/v1/admin/errors?limit={limit}", cancellationToken);

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken, JsonSerializerOptions? json = null)
    {
        using var request = await AuthorizedAsync(HttpMethod.Get, path);
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken, json);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, JsonSerializerOptions? json = null)
    {
        using var request = await AuthorizedAsync(method, path);
        request.Content = body is null ? null : JsonContent.Create(body, options: json ?? Json);
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken, json);
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = await AuthorizedAsync(method, path);
        request.Content = body is null ? null : JsonContent.Create(body, options: Json);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken);
        }
    }

    private async Task<HttpRequestMessage> AuthorizedAsync(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await session.TokenAsync());
        return request;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken, JsonSerializerOptions? json = null) =>
        response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<T>(json ?? Json, cancellationToken))!
            : throw await ErrorAsync(response, cancellationToken);

    /// <summary>The Gateway's message: OpenAI's <c>error.message</c>, or a ProblemDetails' title, detail and field errors.</summary>
    private static async Task<GatewayException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        Dictionary<string, string[]> errors = new(StringComparer.OrdinalIgnoreCase);
        try
        {
            var body = JsonNode.Parse(text);
            foreach (var (field, messages) in body?["errors"] as JsonObject ?? [])
            {
                errors[field] = [.. messages?.AsArray().Select(m => m!.ToString()) ?? []];
            }
            message = body?["error"]?["message"]?.ToString()
                ?? string.Join(" ", new[] { body?["detail"]?.ToString() ?? body?["title"]?.ToString() }
                    .Concat(errors.Values.SelectMany(m => m))
                    .Where(m => !string.IsNullOrEmpty(m)));
        }
        catch (JsonException)
        {
            // Not JSON: the status says it.
        }
        var retryAfter = response.Headers.RetryAfter?.Delta;
        return new GatewayException(response.StatusCode, string.IsNullOrWhiteSpace(message) ? $"The Gateway answered {(int)response.StatusCode}." : message, retryAfter, errors);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>Streams the upload and reports how far it has got.</summary>
    private sealed class ProgressContent(Stream content, long length, IProgress<long> progress) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = new byte[64 * 1024];
            long sent = 0;
            int read;
            while ((read = await content.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
                sent += read;
                progress.Report(sent);
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }
}

/// <summary>A refusal from the Gateway: its status and message (and when to retry, for 429; which fields, for a validation problem).</summary>
public sealed class GatewayException(HttpStatusCode status, string message, TimeSpan? retryAfter = null, IReadOnlyDictionary<string, string[]>? errors = null) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>A ProblemDetails' <c>errors</c>: the messages by field, as the API names them.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    /// <summary>The session expired or was revoked: the user signs in again.</summary>
    public bool SessionEnded => Status == HttpStatusCode.Unauthorized;
}

public sealed record SessionStarted(string Key, DateTimeOffset ExpiresAt, Guid TenantId, string TenantName, string Email);

public sealed record CacheContents(long ExactEntries, long SemanticSpaces, long SemanticEntries);

public sealed record TenantInfo(Guid Id, string Name, string Plan, string Status, bool CacheEnabled);

public sealed record TenantUser(Guid Id, Guid TenantId, string Email, DateTimeOffset CreatedAt);

public sealed record KeySummary(Guid Id, string Name, string Prefix, string[] Scopes, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt);

public sealed record CreatedKey(string Key, KeySummary Details);

public sealed record Timeseries(string Interval, string? GroupBy, List<TimeseriesBucket> Buckets);

public sealed record TimeseriesBucket(DateTimeOffset Start, UsageFigures Totals, List<UsageFigures> Groups);

public sealed record UsageFigures(string? Key, long Requests, long Errors, long InputTokens, long OutputTokens, decimal Cost, long CacheHits, long SemanticCacheHits);

public sealed record BudgetStatus(Guid Id, Guid? KeyId, string Period, decimal Limit, decimal Spent, decimal Remaining, decimal UsedPercent);

public sealed record AlertView(BudgetAlert Alert, WebhookDelivery? Delivery);

public sealed record WebhookDelivery(int Attempts, int? LastStatus, string? LastError, DateTimeOffset? DeliveredAt);

public sealed record Webhook(string Url, DateTimeOffset CreatedAt);

public sealed record WebhookCreated(string Url, string Secret);

public sealed record BudgetAlert(Guid Id, Guid? KeyId, string Period, int Threshold, decimal Limit, decimal Spent, DateTimeOffset CreatedAt);

public sealed record Invoice(string Month, string Status, string Currency, List<InvoiceLine> Lines, decimal Subtotal, decimal Total);

public sealed record InvoiceLine(string Type, string Description, decimal Amount);

public sealed record DocumentSummary(Guid Id, string Name, string ContentType, long SizeBytes, string Status, string? Reason, int Chunks, DateTimeOffset CreatedAt);

/// <summary>A piece of a live answer (<see cref="ChatSocket"/>): a token, the usage, or at the end the route and cache status.</summary>
public sealed record ChatStreamEvent(string? Route, string? Cache, string? Token, ChatUsage? Usage)
{
    /// <summary>At the end: the answer was stopped before it was whole.</summary>
    public bool Cancelled { get; init; }
}

public sealed record ChatUsage(long InputTokens, long OutputTokens, decimal? Cost);

public sealed record PlatformHealth(string Status, List<ResourceHealth> Resources);

public sealed record ResourceHealth(string Name, string? Url, string Status, string? Description);

public sealed record ProviderSummary(string Name, string Kind, string? BaseUrl, bool HasApiKey, List<string> Models, Dictionary<string, string> Circuits);

public sealed record RecentErrors(List<RecentError> Errors);

public sealed record RecentError(DateTimeOffset At, Guid? TenantId, Guid? KeyId, string? Endpoint, string? Model, int Status, string? ErrorCode, string? TraceId);
