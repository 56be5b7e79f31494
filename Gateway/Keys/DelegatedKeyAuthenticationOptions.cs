using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Keys;

/// <summary>
/// Set from <c>InternalTokens</c> (<see cref="GatewayAuthentication"/>): a service's token acting as a key is checked as the
/// services check every internal token (<see cref="InternalTokenOptions.CreateValidationParameters"/>).
/// </summary>
public sealed class DelegatedKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public TokenValidationParameters TokenValidationParameters { get; set; } = new();
}
