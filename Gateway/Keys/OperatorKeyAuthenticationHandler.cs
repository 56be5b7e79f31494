using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Keys;

/// <summary>The operators' admin key: <c>Authorization: Bearer &lt;admin key&gt;</c>, compared in constant time.</summary>
public sealed class OperatorKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<GatewayOptions> gateway)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly KeyRefusal Refusal = new(StatusCodes.Status401Unauthorized, null, "The admin API needs Authorization: Bearer <admin key> (see .data/admin-key).");

    private readonly byte[]? _adminKeyHash = gateway.Value.AdminKey is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
        // Hashes have equal length, so the comparison takes the same time whatever was presented.
        if (_adminKeyHash is null || presented.Length == 0
            || !CryptographicOperations.FixedTimeEquals(_adminKeyHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
        {
            Context.Features.Set(Refusal);
            return Task.FromResult(AuthenticateResult.Fail(Refusal.Message));
        }
        var identity = new ClaimsIdentity([new Claim(InternalTokenClaims.Scope, TenancyExtensions.OperatorScope)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
