namespace Platform.Tenancy;

public static class InternalTokenClaims
{
    public const string TenantId = "tid";
    public const string KeyId = "key_id";
    public const string Scope = "scope";

    /// <summary>The agent run a token was minted for (<see cref="InternalTokenIssuer.IssueForAgentRun"/>).</summary>
    public const string RunId = "run";
}
