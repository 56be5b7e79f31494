using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Agents.FunctionalTests;

/// <summary>The runs API as tests use it: start a run, wait for its end, read its steps.</summary>
internal static class AgentRuns
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Starts a run with <paramref name="body"/> (<c>input</c>, and <c>user</c> or <c>conversation</c> if wanted): its id.</summary>
    public static async Task<Guid> StartAsync(HttpClient http, string agent, object body)
    {
        var response = await http.PostAsJsonAsync($"/v1/agents/{agent}/runs", body, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Cancellation));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
    }

    /// <summary>The run as stored once it has ended, with its steps.</summary>
    public static async Task<JsonElement> WaitForEndAsync(HttpClient http, Guid run)
    {
        var ended = await Eventually.GetAsync(async () =>
        {
            using var response = await http.GetAsync($"/v1/agents/runs/{run}", Cancellation);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            var current = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            return current.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled" ? current.GetRawText() : null;
        }, TimeSpan.FromSeconds(90));
        return JsonDocument.Parse(ended).RootElement;
    }

    /// <summary>Starts a run and waits for its end.</summary>
    public static async Task<JsonElement> RunAsync(HttpClient http, string agent, object body) => await WaitForEndAsync(http, await StartAsync(http, agent, body));

    public static IEnumerable<JsonElement> Steps(JsonElement run, string type) =>
        run.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("type").GetString() == type).Select(s => s.GetProperty("data"));
}
