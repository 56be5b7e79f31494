namespace Gateway.Services;

/// <summary>The Orchestrator's operator views, reached with an operator's internal token.</summary>
public sealed class OrchestratorAdminClient(HttpClient http, InternalTokenIssuer tokens)
{
    /// <summary>Its providers, their models and each model's circuit, relayed as the Orchestrator answers.</summary>
    public async Task<IResult> GetProvidersAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/orchestrator/providers");
        request.Headers.Authorization = new("Bearer", tokens.IssueForOperator());
        using var response = await http.SendAsync(request, cancellationToken);
        return TypedResults.Content(await response.Content.ReadAsStringAsync(cancellationToken),
            response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
    }
}
