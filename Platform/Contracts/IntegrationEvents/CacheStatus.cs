namespace Platform.Contracts;

public static class CacheStatus
{
    public const string None = "none";
    public const string Miss = "miss";
    public const string Hit = "hit";
    public const string SemanticHit = "semantic-hit";
    public const string Bypass = "bypass";
    // Cache-Control: no-cache: not looked up, answered afresh and stored.
    public const string Refresh = "refresh";
}
