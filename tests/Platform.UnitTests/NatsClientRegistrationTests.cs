using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using Platform.Messaging;

namespace Platform.UnitTests;

public sealed class NatsClientRegistrationTests
{
    [Fact]
    public void AddNatsClient_WithoutConnectionString_NamesTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new());

        var exception = Should.Throw<InvalidOperationException>(() => builder.AddNatsClient("nats"));

        exception.Message.ShouldContain("'ConnectionStrings:nats'");
    }

    [Fact]
    public void AddNatsClient_BindsTheSection_ThenTheConnectionsOwn_AndTheConnectionStringWins()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new());
        builder.Configuration["Aspire:Nats:Client:ConnectionString"] = "nats://127.0.0.1:1";
        builder.Configuration["Aspire:Nats:Client:HealthCheckTimeout"] = "00:00:05";
        builder.Configuration["Aspire:Nats:Client:nats:HealthCheckTimeout"] = "00:00:07";
        builder.Configuration["ConnectionStrings:nats"] = "nats://127.0.0.1:4222";

        builder.AddNatsClient("nats");

        using var host = builder.Build();
        var check = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ShouldHaveSingleItem();
        check.Name.ShouldBe("NATS");
        check.Timeout.ShouldBe(TimeSpan.FromSeconds(7));
        host.Services.GetRequiredService<INatsConnection>().Opts.Url.ShouldStartWith("nats://127.0.0.1:4222");
    }

    [Fact]
    public void AddNatsClient_HealthChecksDisabled_RegistersNone()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new());
        builder.Configuration["ConnectionStrings:nats"] = "nats://127.0.0.1:4222";
        builder.Configuration["Aspire:Nats:Client:nats:DisableHealthChecks"] = "true";

        builder.AddNatsClient("nats");

        using var host = builder.Build();
        host.Services.GetService<IOptions<HealthCheckServiceOptions>>()?.Value.Registrations.ShouldBeEmpty();
    }
}
