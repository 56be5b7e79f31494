using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Testing.Mocks;

/// <summary>What every mock provider shares: a real Kestrel port, the requests it saw, directives in the last message.</summary>
public abstract class MockServer : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The server's root URL, without a trailing slash.</summary>
    public string Root { get; private set; } = "";

    public ConcurrentQueue<(JsonObject Body, IHeaderDictionary Headers)> Requests { get; } = new();

    public (JsonObject Body, IHeaderDictionary Headers) LastRequestContaining(string marker) =>
        Requests.LastOrDefault(r => r.Body.ToJsonString().Contains(marker, StringComparison.Ordinal)) is { Body: not null } found
            ? found
            : throw new InvalidOperationException($"The mock received no request containing {marker}.");

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    protected async Task StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        _app = builder.Build();
        map(_app);
        await _app.StartAsync();
        Root = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }

    protected async Task<JsonObject> ReadAsync(HttpContext http)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        // Kestrel reuses a request's header collection: keep a copy.
        Requests.Enqueue((body, new HeaderDictionary(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value))));
        return body;
    }

    protected static Task WriteJsonAsync(HttpContext http, JsonNode body, int status = 200)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    protected static async Task WriteLineAsync(HttpContext http, string line)
    {
        await http.Response.WriteAsync(line, Encoding.UTF8);
        await http.Response.Body.FlushAsync();
    }

    protected internal static string? Directive(string text, string name)
    {
        var start = text.IndexOf($"[[{name}", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        var body = text[(start + 2)..text.IndexOf("]]", start, StringComparison.Ordinal)];
        return body.Contains(':', StringComparison.Ordinal) ? body[(body.IndexOf(':', StringComparison.Ordinal) + 1)..] : body;
    }
}
