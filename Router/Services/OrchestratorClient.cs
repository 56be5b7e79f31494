using System.Net.Http.Headers;
using System.Text.Json;

namespace Router.Services;

/// <summary>The Orchestrator, asked with an operator's token for its circuits; unknown when it does not answer.</summary>
public sealed class OrchestratorClient(HttpClient http, InternalTokenIssuer tokens)
{
    public async Task<Dictionary<string, string>> CircuitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/orchestrator/providers");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.IssueForOperator());
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var providers = await response.Content.ReadFromJsonAsync<JsonElement[]>(cancellationToken) ?? [];
            return providers
                .SelectMany(p => p.GetProperty("circuits").EnumerateObject().Select(c => (Model: $"{p.GetProperty("name").GetString()}/{c.Name}", State: c.Value.GetString() ?? "unknown")))
                .ToDictionary(c => c.Model, c => c.State);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
        {
            return [];
        }
    }
}
