using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Testing.Mocks;

/// <summary>Stands in for an external service (vLLM, a collector): answers every path and records what was asked.</summary>
public sealed class FakeExternalService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeExternalService(WebApplication app, string url, ConcurrentBag<string> requests)
    {
        _app = app;
        Url = url;
        Requests = requests;
    }

    /// <summary>The base URL, ending in a slash.</summary>
    public string Url { get; }

    public ConcurrentBag<string> Requests { get; }

    public static async Task<FakeExternalService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var requests = new ConcurrentBag<string>();
        app.Run(context =>
        {
            requests.Add(context.Request.Path);
            return context.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new FakeExternalService(app, address + "/", requests);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
