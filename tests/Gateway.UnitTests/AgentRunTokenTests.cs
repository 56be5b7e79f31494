using System.Security.Claims;
using System.Security.Cryptography;
using Gateway.Keys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Platform.Tenancy;

namespace Gateway.UnitTests;

public sealed class AgentRunTokenTests
{
    private readonly InternalTokenOptions _options = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
    private readonly InternalTokenIssuer _issuer;

    public AgentRunTokenTests() => _issuer = new InternalTokenIssuer(Options.Create(_options), TimeProvider.System);

    [Fact]
    public void IsShaped_AnInternalToken_IsTrue()
    {
        AgentRunToken.IsShaped(_issuer.IssueForAgentRun(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid())).ShouldBeTrue();
    }

    [Fact]
    public void IsShaped_ATenantKey_IsFalse()
    {
        AgentRunToken.IsShaped(ApiKeySecret.New().Key).ShouldBeFalse();
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
        AgentRunToken.IsShaped(credential).ShouldBeFalse();
    }

    [Theory]
    [InlineData("Bearer sk-aip-abc", false)]
    [InlineData("Bearer eyJhbGc.e30.sig", true)]
    [InlineData("bearer  eyJhbGc.e30.sig ", true)]
    [InlineData("Basic eyJhbGc.e30.sig", false)]
    [InlineData("", false)]
    public void CredentialOf_ReadsWhatFollowsBearer(string authorization, bool shaped)
    {
        AgentRunToken.IsShaped(AgentRunToken.CredentialOf(authorization)).ShouldBe(shaped);
    }

    [Fact]
    public async Task From_AnAgentRunsToken_NamesTheTenantKeyAndRun()
    {
        var (tenantId, keyId, runId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        var token = AgentRunToken.From(await ValidateAsync(_issuer.IssueForAgentRun(tenantId, keyId, runId)));

        token.ShouldBe(new AgentRunToken(tenantId, keyId, runId));
    }

    [Fact]
    public async Task From_ATenantsTokenWithAKey_IsNull()
    {
        // What the Gateway sends the services: it names a key too, but no run and no agent scope.
        var identity = await ValidateAsync(_issuer.IssueForTenant(Guid.NewGuid(), Guid.NewGuid().ToString()));

        AgentRunToken.From(identity).ShouldBeNull();
    }

    [Fact]
    public async Task From_AnOperatorsToken_IsNull()
    {
        AgentRunToken.From(await ValidateAsync(_issuer.IssueForOperator())).ShouldBeNull();
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

        AgentRunToken.From(new ClaimsIdentity(claims.Where(c => c.Type != missing))).ShouldBeNull();
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

        AgentRunToken.From(identity).ShouldBeNull();
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
