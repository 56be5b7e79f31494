using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Keys;

/// <summary>
/// Set from <c>InternalTokens</c> (<see cref="GatewayAuthentication"/>): an agent run's token is checked as the
/// services check every internal token (<see cref="InternalTokenOptions.CreateValidationParameters"/>).
/// </summary>
public sealed class AgentRunAuthenticationOptions : AuthenticationSchemeOptions
{
    public TokenValidationParameters TokenValidationParameters { get; set; } = new();
}
