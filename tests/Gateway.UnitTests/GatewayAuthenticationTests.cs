using Gateway.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests;

public sealed class GatewayAuthenticationTests : IDisposable
{
    private readonly ServiceProvider _services;

    public GatewayAuthenticationTests()
    {
        var services = new ServiceCollection();
        services.AddGatewayAuthentication();
        _services = services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("Bearer sk-aip-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", GatewayAuthentication.TenantKeyScheme)]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.eyJydW4iOiJ4In0.c2ln", GatewayAuthentication.DelegatedKeyScheme)]
    [InlineData("Bearer eyJ-not-a-token", GatewayAuthentication.TenantKeyScheme)]
    [InlineData("", GatewayAuthentication.TenantKeyScheme)]
    public void InferenceScheme_ForwardsByTheCredentialsShape(string authorization, string scheme)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = authorization;

        var selector = _services.GetRequiredService<IOptionsMonitor<PolicySchemeOptions>>().Get(GatewayAuthentication.TenantKeyOrDelegatedKeyScheme).ForwardDefaultSelector;

        selector.ShouldNotBeNull()(http).ShouldBe(scheme);
    }

    [Fact]
    public void AgentRunTokens_AreAcceptedByTheInferencePolicyOnly()
    {
        var authorization = _services.GetRequiredService<IOptions<AuthorizationOptions>>().Value;

        authorization.GetPolicy(GatewayAuthentication.InferencePolicy)!.AuthenticationSchemes.ShouldBe([GatewayAuthentication.TenantKeyOrDelegatedKeyScheme]);
        authorization.GetPolicy(GatewayAuthentication.PlatformPolicy)!.AuthenticationSchemes.ShouldBe([GatewayAuthentication.TenantKeyScheme]);
        authorization.GetPolicy(GatewayAuthentication.OperatorPolicy)!.AuthenticationSchemes.ShouldBe([GatewayAuthentication.OperatorKeyScheme]);
    }

    public void Dispose() => _services.Dispose();
}
