using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Realtime.Sessions;
using StackExchange.Redis;

namespace Realtime.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section);

        // While Redis is away, commands fail at once (an error event, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
        // A socket keeps its request, and with it the request's principal, for as long as it is open: the principal
        // keeps copies of the token's claims, not the validated token behind them (some 3 KB a socket).
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, bearer => bearer.Events.OnTokenValidated = context =>
        {
            if (context.Principal?.Identity is ClaimsIdentity validated)
            {
                context.Principal = new ClaimsPrincipal(new ClaimsIdentity(validated.Claims.Select(claim => new Claim(claim.Type, claim.Value)), validated.AuthenticationType));
            }
            return Task.CompletedTask;
        });
        // Model calls go through the Gateway's /v1 as the session's key.
        builder.AddInternalTokenIssuer();

        builder.Services.AddSingleton<RealtimeMetrics>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<SessionHub>();
        builder.Services.AddSingleton<Generations>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConnectionRegistry>());

        // A generation streams for as long as it runs, bounded by MaxGenerationTime: no standard timeouts or retries
        // (the Gateway retries providers).
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient(Generations.HttpClientName, client =>
        {
            client.BaseAddress = new Uri("https+http://gateway");
            client.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
