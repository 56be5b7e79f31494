using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Platform.Tenancy;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class InternalTokenHandlerTests : IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = 100 });
    private readonly InternalTokenIssuer _issuer = new(Options.Create(new InternalTokenOptions { SigningKey = Convert.ToBase64String(new byte[32]) }), TimeProvider.System);
    private readonly DefaultHttpContext _request = new();
    private string? _sentToken;

    [Fact]
    public async Task RequestOfATenantKey_CarriesTheTenantsToken()
    {
        var key = Key();
        _request.Features.Set(key);

        await SendAsync();

        var claims = new JsonWebTokenHandler().ReadJsonWebToken(_sentToken).Claims.ToList();
        claims.ShouldContain(c => c.Type == InternalTokenClaims.TenantId && c.Value == key.TenantId.ToString());
        claims.ShouldNotContain(c => c.Type == InternalTokenClaims.Scope && c.Value == TenancyExtensions.OperatorScope);
    }

    [Fact]
    public async Task RequestOfTheAdminKey_CarriesAnOperatorsToken()
    {
        _request.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(InternalTokenClaims.Scope, TenancyExtensions.OperatorScope)], "OperatorKey"));

        await SendAsync();

        new JsonWebTokenHandler().ReadJsonWebToken(_sentToken).Claims
            .ShouldContain(c => c.Type == InternalTokenClaims.Scope && c.Value == TenancyExtensions.OperatorScope);
    }

    [Fact]
    public async Task RequestNoKeyAuthenticated_SendsNothing()
    {
        await Should.ThrowAsync<InvalidOperationException>(SendAsync);

        _sentToken.ShouldBeNull();
    }

    public void Dispose() => _memory.Dispose();

    private async Task SendAsync()
    {
        var handler = new InternalTokenHandler(new HttpContextAccessor { HttpContext = _request }, new InternalTokenCache(_issuer, _memory), _issuer)
        {
            InnerHandler = new Recorder(this),
        };
        using var client = new HttpClient(handler);
        using var response = await client.GetAsync("http://service/anything", TestContext.Current.CancellationToken);
    }

    private sealed class Recorder(InternalTokenHandlerTests test) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            test._sentToken = request.Headers.Authorization?.Parameter;
            return Task.FromResult(new HttpResponseMessage());
        }
    }
}
