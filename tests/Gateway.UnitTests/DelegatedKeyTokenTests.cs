using System.Security.Claims;
using System.Security.Cryptography;
using Gateway.Keys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Platform.Tenancy;

namespace Gateway.UnitTests;

public sealed class DelegatedKeyTokenTests
{
    private readonly InternalTokenOptions _options = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
    private readonly InternalTokenIssuer _issuer;

    public DelegatedKeyTokenTests() => _issuer = new InternalTokenIssuer(Options.Create(_options), TimeProvider.System);

    [Fact]
    public void IsShaped_AnInternalToken_IsTrue()
    {
        DelegatedKeyToken.IsShaped(_issuer.IssueForAgentRun(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid())).ShouldBeTrue();
    }

    [Fact]
    public void IsShaped_ATenantKey_IsFalse()
    {
        DelegatedKeyToken.IsShaped(ApiKeySecret.New().Key).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("eyJ")]
    [InlineData("eyJhbGc.e30")]
    [InlineData("eyJhbGc.e30.sig.more")]
    [InlineData("eyJhbGc..sig")]
    [InlineData("eyJhbGc.e30.")]
    [InlineData("eyJhbGc.e30.sig=")]
    [InlineData("eyJhbGc.e3 0.sig")]
    [InlineData("abJhbGc.e30.sig")]
    [InlineData("sk-aip-eyJ.a.b")]
    public void IsShaped_AnythingButThreeBase64UrlSegmentsOfAJsonHeader_IsFalse(string credential)
    {
        DelegatedKeyToken.IsShaped(credential).ShouldBeFalse();
    }

    [Theory]
    [InlineData("Bearer sk-aip-abc", false)]
    [InlineData("Bearer eyJhbGc.e30.sig", true)]
    [InlineData("bearer  eyJhbGc.e30.sig ", true)]
    [InlineData("Basic eyJhbGc.e30.sig", false)]
    [InlineData("", false)]
    public void CredentialOf_ReadsWhatFollowsBearer(string authorization, bool shaped)
    {
        DelegatedKeyToken.IsShaped(DelegatedKeyToken.CredentialOf(authorization)).ShouldBe(shaped);
    }

    [Fact]
    public async Task From_AnAgentRunsToken_NamesTheTenantKeyAndRun()
    {
        var (tenantId, keyId, runId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        var token = DelegatedKeyToken.From(await ValidateAsync(_issuer.IssueForAgentRun(tenantId, keyId, runId)));

        token.ShouldBe(new DelegatedKeyToken(tenantId, keyId, runId));
    }

    [Fact]
    public async Task From_ARealtimeSessionsToken_NamesTheTenantAndKeyAndNoRun()
    {
        var (tenantId, keyId) = (Guid.NewGuid(), Guid.NewGuid());

        var token = DelegatedKeyToken.From(await ValidateAsync(_issuer.IssueForRealtimeSession(tenantId, keyId)));

        token.ShouldBe(new DelegatedKeyToken(tenantId, keyId, null));
    }

    [Fact]
    public async Task From_ATenantsTokenWithAKey_IsNull()
    {
        // What the Gateway sends the services: it names a key too, but neither the agent nor the realtime scope.
        var identity = await ValidateAsync(_issuer.IssueForTenant(Guid.NewGuid(), Guid.NewGuid().ToString()));

        DelegatedKeyToken.From(identity).ShouldBeNull();
    }

    [Fact]
    public async Task From_AnOperatorsToken_IsNull()
    {
        DelegatedKeyToken.From(await ValidateAsync(_issuer.IssueForOperator())).ShouldBeNull();
    }

    [Theory]
    [InlineData(InternalTokenClaims.TenantId)]
    [InlineData(InternalTokenClaims.KeyId)]
    [InlineData(InternalTokenClaims.RunId)]
    public void From_TheAgentScopeWithoutAnId_IsNull(string missing)
    {
        Claim[] claims =
        [
            new(InternalTokenClaims.Scope, TenancyExtensions.AgentScope),
            new(InternalTokenClaims.TenantId, Guid.NewGuid().ToString()),
            new(InternalTokenClaims.KeyId, Guid.NewGuid().ToString()),
            new(InternalTokenClaims.RunId, Guid.NewGuid().ToString()),
        ];

        DelegatedKeyToken.From(new ClaimsIdentity(claims.Where(c => c.Type != missing))).ShouldBeNull();
    }

    [Fact]
    public void From_AnIdThatIsNoGuid_IsNull()
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(InternalTokenClaims.Scope, TenancyExtensions.AgentScope),
            new Claim(InternalTokenClaims.TenantId, Guid.NewGuid().ToString()),
            new Claim(InternalTokenClaims.KeyId, "sk-aip-key"),
            new Claim(InternalTokenClaims.RunId, Guid.NewGuid().ToString()),
        ]);

        DelegatedKeyToken.From(identity).ShouldBeNull();
    }

    [Fact]
    public async Task Validation_ATokenSignedWithAnotherKey_Fails()
    {
        var other = new InternalTokenIssuer(Options.Create(new InternalTokenOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), TimeProvider.System);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(other.IssueForAgentRun(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()), _options.CreateValidationParameters());

        result.IsValid.ShouldBeFalse();
    }

    private async Task<ClaimsIdentity> ValidateAsync(string token)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, _options.CreateValidationParameters());
        result.IsValid.ShouldBeTrue();
        return result.ClaimsIdentity;
    }
}
