using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// An inventory the operator's tenants share: stdout is the MCP channel, so the host logs to stderr only.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services
    .AddMcpServer(options => options.ServerInfo = new() { Name = "operator-inventory", Version = "1.0" })
    .WithStdioServerTransport()
    .WithTools<InventoryTools>();
await builder.Build().RunAsync();

/// <summary>Tools whose answers show what the Orchestrator sent: the stock of an item, the calling tenant, and this process.</summary>
internal sealed class InventoryTools
{
    [McpServerTool(Name = "stock"), Description("How many of an item are in stock.")]
    [McpMeta("cost_usd", 0.002)]
    public static string Stock(string item) => $"{item}: {item.Length * 7} in stock in {Environment.GetEnvironmentVariable("INVENTORY_REGION") ?? "no region"}";

    [McpServerTool(Name = "caller", ReadOnly = true), Description("Who is calling: the tenant and this server's process.")]
    public static string Caller(RequestContext<CallToolRequestParams> request) =>
        $"tenant {request.Params?.Meta?["tenant_id"]?.GetValue<string>() ?? "unknown"}, process {Environment.ProcessId}";

    [McpServerTool(Name = "exit"), Description("Stops this server, as a crash would.")]
    public static string Exit()
    {
        // Answered first, so the call itself succeeds; the process ends just after.
        _ = Task.Delay(100).ContinueWith(_ => Environment.Exit(1), TaskScheduler.Default);
        return "exiting";
    }
}
