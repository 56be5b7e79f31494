using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.FunctionalTests;

// What a new user's first mistakes meet: an OpenAI error that says what is wrong, never a 500 or a bare 400.
public sealed class BadInputTests(PlatformFixture platform)
{
    private const string Chat = """{"model":"mock/mock-1","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task ABodyThatIsNotUtf8_Is400()
    {
        var bytes = Encoding.UTF8.GetBytes(Chat).ToList();
        bytes.InsertRange(Chat.IndexOf("hi", StringComparison.Ordinal), new byte[] { 0xFF, 0xFE, 0xC3 });
        var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var (status, error) = await PostAsync(platform.DemoKey, content);

        status.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("message").GetString()!.ShouldContain("UTF-8");
    }

    [Fact]
    public async Task ABodySentAsTextPlain_Is400UnsupportedContentType()
    {
        var (status, error) = await PostAsync(platform.DemoKey, new StringContent(Chat, Encoding.UTF8, "text/plain"));

        status.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("code").GetString().ShouldBe("unsupported_content_type");
        error.GetProperty("message").GetString()!.ShouldContain("text/plain");
    }

    [Fact]
    public async Task AnAuthorizationHeaderThatIsNotAscii_Is401WithAnOpenAiError()
    {
        // HttpClient refuses such a header unless told how to encode it; curl sends the bytes as typed.
        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = platform.App.GetEndpoint("gateway"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Chat, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-clé-àçcentuée").ShouldBeTrue();

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("invalid_api_key");
    }

    [Fact]
    public async Task Auto_IsAnsweredByAConfiguredProvider_NotTheKeylessLocalModel()
    {
        using var response = await PostJsonAsync(platform.DemoKey, """{"model":"auto","messages":[{"role":"user","content":"hello there"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var route = response.Headers.GetValues("x-route").Single();
        route.ShouldNotStartWith("local/");
        route.ShouldNotContain("no other chat model");
    }

    [Fact]
    public async Task Auto_ForAKeyAllowedOnlyTheLocalModel_IsAnsweredByIt_AndSaysWhy()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "local-only", allowedModels = new[] { "local/local-chat" } });

        using var response = await PostJsonAsync(key, """{"model":"auto","messages":[{"role":"user","content":"hello there"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("x-route").Single().ShouldBe("local/local-chat; strategy=single; attempts=1; no other chat model is available to this key");
    }

    private Task<HttpResponseMessage> PostJsonAsync(string key, string body) =>
        SendAsync(key, new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task<(HttpStatusCode Status, JsonElement Error)> PostAsync(string key, HttpContent content)
    {
        using var response = await SendAsync(key, content);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        return (response.StatusCode, error);
    }

    private async Task<HttpResponseMessage> SendAsync(string key, HttpContent content)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);
    }
}
