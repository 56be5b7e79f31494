using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Platform.Testing.Mocks;

/// <summary>
/// A tenant's MCP server on a real port (streamable HTTP, stateless), with tools an agent test needs: a plain answer
/// (get_weather), a side effect with a price, its compensation and the way to ask for its outcome (charge, refund,
/// charge_status: a charge made again with the same <c>_meta.idempotency_key</c> is not made twice), a failing or slow
/// primary with a backup (search_primary, search_backup) and a call that waits for the test (wait_for_release). The
/// counters say what was called (<see cref="MockServer.Requests"/> stays empty).
/// </summary>
public sealed class TestMcpServer : MockServer
{
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly ConcurrentDictionary<string, int> _charges = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _entered = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _released = new();
    private readonly ConcurrentDictionary<string, string> _receiptsByKey = new();
    private readonly List<string> _receipts = [];
    private readonly List<string> _refunds = [];

    /// <summary>The MCP endpoint, <c>{Root}/mcp</c>.</summary>
    public Uri Endpoint => new($"{Root}/mcp");

    /// <summary>When set, requests without <c>Authorization: Bearer {RequiredBearer}</c> get 401.</summary>
    public string? RequiredBearer { get; set; }

    /// <summary>While true, search_primary fails (an error result).</summary>
    public bool PrimaryFails { get; set; }

    /// <summary>How long search_primary takes before it answers or fails; zero by default.</summary>
    public TimeSpan PrimaryDelay { get; set; }

    /// <summary>
    /// While true, charge makes its charge and then waits, before it answers, until the test releases the token
    /// "charge" (<see cref="WaitingAsync"/> says when it waits): a call whose side effect is done but whose caller does not know.
    /// </summary>
    public bool HoldCharges { get; set; }

    /// <summary>Every charge's receipt, in order.</summary>
    public IReadOnlyList<string> Receipts
    {
        get
        {
            lock (_receipts)
            {
                return [.. _receipts];
            }
        }
    }

    /// <summary>The receipts refunded, in order.</summary>
    public IReadOnlyList<string> Refunds
    {
        get
        {
            lock (_refunds)
            {
                return [.. _refunds];
            }
        }
    }

    public static async Task<TestMcpServer> StartAsync()
    {
        var server = new TestMcpServer();
        await server.StartAsync(
            app =>
            {
                app.Use(server.AuthorizeAsync);
                app.MapMcp("/mcp");
                server.MapPages(app);
            },
            builder => builder.Services
                .AddMcpServer(options => options.ServerInfo = new() { Name = "test-mcp", Version = "1.0" })
                .WithHttpTransport(options => options.Stateless = true)
                .WithTools(server));
        return server;
    }

    /// <summary>
    /// Web pages for an agent's <c>http_fetch</c>: an article (HTML), a redirect to it on the same host, one to it on
    /// <c>localhost</c> (another host name for this server), and a binary file.
    /// </summary>
    private void MapPages(WebApplication app)
    {
        app.MapGet("/pages/article", () => Results.Content(
            "<html><head><title>Tides</title><style>p { color: red }</style></head><body><script>alert(1)</script><p>High tide is at 06:12.</p></body></html>", "text/html"));
        app.MapGet("/pages/around", () => Results.Redirect("/pages/article"));
        app.MapGet("/pages/away", () => Results.Redirect($"{Root.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/pages/article"));
        app.MapGet("/pages/binary", () => Results.Bytes([0, 1, 2, 3], "application/octet-stream"));
    }

    /// <summary>How many times a tool was called, failed calls included.</summary>
    public int CallsOf(string tool) => _calls.GetValueOrDefault(tool);

    public int ChargesOf(string account) => _charges.GetValueOrDefault(account);

    /// <summary>Completes when wait_for_release has been entered with this token.</summary>
    public Task WaitingAsync(string token) => Signal(_entered, token).Task;

    /// <summary>Lets wait_for_release with this token answer (at once, if it has not been called yet).</summary>
    public void Release(string token) => Signal(_released, token).TrySetResult();

    [McpServerTool(Name = "get_weather"), Description("The current weather in a city.")]
    private string GetWeather(string city)
    {
        Count("get_weather");
        return $"Sunny in {city}, 21 °C";
    }

    [McpServerTool(Name = "charge"), Description("Charges an account; returns the receipt id.")]
    [McpMeta("cost_usd", 0.01)]
    [McpMeta("outcome_tool", "charge_status")]
    [McpMeta("compensation_tool", "refund")]
    [McpMeta("compensation_argument", "receipt")]
    private async Task<string> ChargeAsync(string account, decimal amount, RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        Count("charge");
        var key = request.Params?.Meta?["idempotency_key"]?.GetValue<string>();
        if (key is not null && _receiptsByKey.TryGetValue(key, out var earlier))
        {
            return earlier;
        }
        var receipt = $"receipt-{account}-{_charges.AddOrUpdate(account, 1, (_, count) => count + 1)}";
        lock (_receipts)
        {
            _receipts.Add(receipt);
        }
        if (key is not null)
        {
            _receiptsByKey[key] = receipt;
        }
        if (HoldCharges)
        {
            Signal(_entered, "charge").TrySetResult();
            await Signal(_released, "charge").Task.WaitAsync(cancellationToken);
        }
        return receipt;
    }

    [McpServerTool(Name = "charge_status"), Description("The receipt of the charge made with this idempotency key, if one was.")]
    private string ChargeStatus(string idempotency_key)
    {
        Count("charge_status");
        return _receiptsByKey.TryGetValue(idempotency_key, out var receipt) ? receipt : throw new McpException($"No charge was made with the key {idempotency_key}.");
    }

    [McpServerTool(Name = "refund"), Description("Refunds a charge by its receipt id.")]
    private string Refund(string receipt)
    {
        Count("refund");
        lock (_refunds)
        {
            _refunds.Add(receipt);
        }
        return $"refunded {receipt}";
    }

    [McpServerTool(Name = "search_primary"), Description("Searches the primary index.")]
    private async Task<string> SearchPrimaryAsync(string query, CancellationToken cancellationToken)
    {
        Count("search_primary");
        await Task.Delay(PrimaryDelay, cancellationToken);
        // An McpException's message reaches the client in the error result; other exceptions become a generic one.
        return PrimaryFails ? throw new McpException("The primary index is unavailable.") : $"primary: {query}";
    }

    [McpServerTool(Name = "search_backup"), Description("Searches the backup index.")]
    private string SearchBackup(string query)
    {
        Count("search_backup");
        return $"backup: {query}";
    }

    [McpServerTool(Name = "wait_for_release"), Description("Waits until the operation with this token is released.")]
    private async Task<string> WaitForReleaseAsync(string token, CancellationToken cancellationToken)
    {
        Count("wait_for_release");
        Signal(_entered, token).TrySetResult();
        await Signal(_released, token).Task.WaitAsync(cancellationToken);
        return $"released {token}";
    }

    private void Count(string tool) => _calls.AddOrUpdate(tool, 1, (_, count) => count + 1);

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string token) =>
        signals.GetOrAdd(token, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private Task AuthorizeAsync(HttpContext http, RequestDelegate next)
    {
        if (RequiredBearer is { } bearer && http.Request.Headers.Authorization != $"Bearer {bearer}")
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }
        return next(http);
    }
}
