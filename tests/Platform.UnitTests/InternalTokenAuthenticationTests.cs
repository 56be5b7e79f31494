using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.Tenancy;

namespace Platform.UnitTests;

// A real Kestrel server with the service-side wiring, called as the Gateway (or an attacker) would.
public sealed class InternalTokenAuthenticationTests : IAsyncLifetime
{
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["InternalTokens:SigningKey"] = SigningKey;
        builder.AddInternalTokenAuthentication();
        _app = builder.Build();
        _app.MapGet("/tenant", (TenantContext tenant) => tenant.RequiredTenantId.ToString()).RequireAuthorization(TenancyExtensions.TenantPolicy);
        _app.MapGet("/operator", () => "ok").RequireAuthorization(TenancyExtensions.OperatorPolicy);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task TenantToken_SetsTenantContext()
    {
        var tenantId = Guid.NewGuid();

        var response = await SendAsync("/tenant", Issuer(SigningKey).IssueForTenant(tenantId, "key-1"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(tenantId.ToString());
    }

    [Fact]
    public async Task BareTenantHeader_IsUnauthorized()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tenant");
        request.Headers.Add("X-Tenant-Id", Guid.NewGuid().ToString());

        var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenSignedWithAnotherKey_IsUnauthorized()
    {
        var forged = Issuer(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).IssueForTenant(Guid.NewGuid());

        var response = await SendAsync("/tenant", forged);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredToken_IsUnauthorized()
    {
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));

        var response = await SendAsync("/tenant", Issuer(SigningKey, past).IssueForTenant(Guid.NewGuid()));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OperatorToken_OnTenantEndpoint_IsForbidden()
    {
        var response = await SendAsync("/tenant", Issuer(SigningKey).IssueForOperator());

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TenantToken_OnOperatorEndpoint_IsForbidden()
    {
        var response = await SendAsync("/operator", Issuer(SigningKey).IssueForTenant(Guid.NewGuid()));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OperatorToken_OnOperatorEndpoint_IsAllowed()
    {
        var response = await SendAsync("/operator", Issuer(SigningKey).IssueForOperator());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void ShortSigningKey_IsRefused()
    {
        var exception = Should.Throw<InvalidOperationException>(() => Issuer(Convert.ToBase64String(new byte[16])));

        exception.Message.ShouldContain("at least 32 bytes");
    }

    [Fact]
    public async Task ServiceWithoutSigningKey_RefusesToStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddInternalTokenAuthentication();
        await using var app = builder.Build();

        var exception = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        exception.Message.ShouldContain("InternalTokens:SigningKey");
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static InternalTokenIssuer Issuer(string key, TimeProvider? time = null) =>
        new(Options.Create(new InternalTokenOptions { SigningKey = key }), time ?? TimeProvider.System);
}
