using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Integration;

// The Gateway's semantic cache: a question asked before in other words is answered without a provider call.
public sealed class SemanticCacheTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARewordedQuestion_HitsAboveTheThreshold_ADifferentOneMisses_AndNoOtherTenantShares_It()
    {
        var (tenantA, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-a" });
        var (_, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-b" });
        var place = $"office{Guid.NewGuid():N}";

        var first = await AskAsync(keyA, $"What are the opening hours of the {place} on Saturdays?");
        first.Headers.GetValues("x-cache").Single().ShouldBe("miss");
        var answer = await TextAsync(first);

        var reworded = await AskAsync(keyA, $"On Saturdays, what are the opening hours of the {place}?");
        reworded.Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");
        double.Parse(reworded.Headers.GetValues("x-semantic-similarity").Single(), CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(0.9);
        (await TextAsync(reworded)).ShouldBe(answer);
        platform.MockOpenAi.Requests.ShouldNotContain(r => r.Body.ToJsonString().Contains($"On Saturdays, what are the opening hours of the {place}", StringComparison.Ordinal));

        // Near in words (similarity about 0.96) but about another parcel: numbers must match.
        var parcel = $"Please tell me the current delivery status and the expected arrival date of the parcel with tracking number 1234 at the {place}";
        (await AskAsync(keyA, parcel)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyA, parcel.Replace("1234", "5678", StringComparison.Ordinal))).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyA, parcel.Replace("Please tell me", "Tell me please", StringComparison.Ordinal))).Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");

        var different = await AskAsync(keyA, $"How do I reset the alarm code of the {place}?");
        different.Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyA, $"On Saturdays, what are the opening hours of the {place}?", temperature: 0.9f)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyB, $"On Saturdays, what are the opening hours of the {place}?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");

        // A semantic hit costs nothing, as an exact one does.
        var usage = await UsageEvents.ForTenantAsync(platform, tenantA, expected: 7);
        usage.Where(u => u.Cache == Microsoft.Extensions.Hosting.CacheStatus.SemanticHit).Select(u => u.Cost).ShouldBe([0m, 0m]);
    }

    private async Task<HttpResponseMessage> AskAsync(string key, string question, float? temperature = null)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            temperature,
            messages = new[] { new { role = "system", content = "You answer for the facilities team." }, new { role = "user", content = question } },
        }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response;
    }

    private static async Task<string> TextAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
}
