using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.FunctionalTests;

public sealed class EmbeddingsTests(PlatformFixture platform)
{
    [Fact]
    public async Task Embeddings_ThroughTheSdk_ArrayInput_Base64OnTheWire()
    {
        var embeddings = platform.CreateOpenAiClient(platform.DemoKey).GetEmbeddingClient("mock/mock-embed");

        var result = (await embeddings.GenerateEmbeddingsAsync(["ab", "abcd"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        result.Count.ShouldBe(2);
        result[0].ToFloats().ToArray().ShouldBe([2f, 1f, 2f]);
        result[1].ToFloats().ToArray().ShouldBe([4f, 1f, 2f]);
        result.Usage.InputTokenCount.ShouldBe(6);
    }

    [Fact]
    public async Task Embeddings_StringInput_AsFloats()
    {
        using var http = Client();

        var response = await http.PostAsJsonAsync("/v1/embeddings", new { model = "mock/mock-embed", input = "abc" }, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        body.GetProperty("object").GetString().ShouldBe("list");
        body.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ShouldBe([3f, 1f, 2f]);
        body.GetProperty("model").GetString().ShouldBe("mock/mock-embed");
    }

    [Fact]
    public async Task Embeddings_LocalModel_IsNormalised_AndNearByMeaning_NotByWords()
    {
        var embeddings = platform.CreateOpenAiClient(platform.DemoKey).GetEmbeddingClient("local/local-embedding");

        // The first two share no word but mean nearly the same.
        var result = (await embeddings.GenerateEmbeddingsAsync(["How do I get my money back?", "What is your refund policy?", "What is the capital of Peru?"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        var vectors = result.Select(e => e.ToFloats().ToArray()).ToList();
        vectors.ShouldAllBe(v => v.Length == 384);
        Math.Sqrt(vectors[0].Sum(x => x * x)).ShouldBe(1, 0.001);
        Cosine(vectors[0], vectors[1]).ShouldBeGreaterThan(Cosine(vectors[0], vectors[2]) + 0.3);
    }

    [Theory]
    [InlineData("{\"model\":\"mock/mock-1\",\"input\":\"x\"}", 400, "model")]
    [InlineData("{\"model\":\"mock/mock-embed\"}", 400, "input")]
    [InlineData("{\"model\":\"mock/mock-embed\",\"input\":[1,2]}", 400, "input")]
    [InlineData("{\"model\":\"mock/mock-embed\",\"input\":\"x\",\"encoding_format\":\"hex\"}", 400, "encoding_format")]
    [InlineData("{\"model\":\"none\",\"input\":\"x\"}", 404, "model")]
    public async Task Embeddings_BadRequests_AreOpenAiErrors(string body, int status, string param)
    {
        using var http = Client();

        var response = await http.PostAsync("/v1/embeddings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(status);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetProperty("param").GetString().ShouldBe(param);
    }

    private HttpClient Client()
    {
        var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.DemoKey);
        return http;
    }

    private static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
