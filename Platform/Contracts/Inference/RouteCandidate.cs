namespace Platform.Contracts;

/// <summary>A catalog model: <c>provider/model</c>.</summary>
public sealed record RouteCandidate(string Provider, string Model)
{
    public override string ToString() => $"{Provider}/{Model}";
}
