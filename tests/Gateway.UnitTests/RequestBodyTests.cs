using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests;

public sealed class RequestBodyTests
{
    private const long Limit = 200;
    private const string Valid = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task ReadAsync_ValidBody_ReturnsTheRequest()
    {
        var (request, error) = await RequestBody.ReadAsync(Http(Valid), ChatCompletionReader.Read);

        error.ShouldBeNull();
        request.ShouldNotBeNull().Model.ShouldBe("m");
    }

    [Fact]
    public async Task ReadAsync_ChunkedBody_ItsLengthIsTheBytesRead()
    {
        // The token estimates of the limits and the budget read the length: a chunked body must not count as empty.
        var http = Http(Valid);
        http.Request.ContentLength = null;

        await RequestBody.ReadAsync(http, ChatCompletionReader.Read);

        http.Request.ContentLength.ShouldBe(Encoding.UTF8.GetByteCount(Valid));
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_Is413WithoutReading()
    {
        var http = Http(Valid);
        http.Request.ContentLength = Limit + 1;

        var (request, error) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);

        request.ShouldBeNull();
        error.ShouldBeOpenAiError(StatusCodes.Status413PayloadTooLarge).Code.ShouldBe("request_too_large");
        http.Request.Body.Position.ShouldBe(0);
    }

    [Fact]
    public async Task ReadAsync_UndeclaredBodyOverTheLimit_Is413()
    {
        var (_, error) = await RequestBody.ReadAsync(Http(Padded(Limit + 1)), ChatCompletionReader.Read);

        error.ShouldBeOpenAiError(StatusCodes.Status413PayloadTooLarge).Message.ShouldContain(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ReadAsync_BodyOfExactlyTheLimit_IsRead()
    {
        var (request, error) = await RequestBody.ReadAsync(Http(Padded(Limit)), ChatCompletionReader.Read);

        error.ShouldBeNull();
        request.ShouldNotBeNull();
    }

    [Fact]
    public async Task ReadAsync_MalformedJson_Is400WithoutParam()
    {
        var (_, error) = await RequestBody.ReadAsync(Http("""{"model":"""), ChatCompletionReader.Read);

        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest);
        openAi.Param.ShouldBeNull();
        openAi.Message.ShouldStartWith("We could not parse the JSON body");
    }

    [Fact]
    public async Task ReadAsync_InvalidField_Is400NamingIt()
    {
        var (_, error) = await RequestBody.ReadAsync(Http("""{"model":"m","messages":[{"role":"robot","content":"hi"}]}"""), ChatCompletionReader.Read);

        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest);
        openAi.Param.ShouldBe("messages[0].role");
        openAi.Type.ShouldBe(OpenAiErrors.InvalidRequest);
    }

    [Fact]
    public async Task ReadAsync_NotAnObject_Is400WithoutParam()
    {
        var (_, error) = await RequestBody.ReadAsync(Http("[1,2]"), ChatCompletionReader.Read);

        error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest).Param.ShouldBeNull();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task ReadAsync_AnotherContentType_Is400UnsupportedContentType(string contentType)
    {
        var http = Http(Valid);
        http.Request.ContentType = contentType;

        var (request, error) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);

        request.ShouldBeNull();
        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest);
        openAi.Code.ShouldBe("unsupported_content_type");
        openAi.Message.ShouldContain(contentType);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    public async Task ReadAsync_JsonContentType_WithOrWithoutCharset_IsRead(string contentType)
    {
        var http = Http(Valid);
        http.Request.ContentType = contentType;

        var (request, error) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);

        error.ShouldBeNull();
        request.ShouldNotBeNull();
    }

    [Fact]
    public async Task ReadAsync_BytesThatAreNotUtf8_Is400()
    {
        // "hi" followed by a lone continuation byte and a truncated two-byte sequence, inside the content string.
        var bytes = Encoding.UTF8.GetBytes(Valid).ToList();
        bytes.InsertRange(Valid.IndexOf("hi", StringComparison.Ordinal) + 2, new byte[] { 0x80, 0xC3 });
        var http = Http(Valid);
        http.Request.Body = new MemoryStream([.. bytes]);

        var (request, error) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);

        request.ShouldBeNull();
        error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest).Message.ShouldContain("UTF-8");
    }

    [Fact]
    public async Task ReadAsync_OnAPlatformApi_TheSameMistakeIsProblemDetails_WithItsParam()
    {
        var http = Http("""{"model":"m","messages":[{"role":"wizard","content":"hi"}]}""");
        http.Request.Path = "/api/v1/auth/sessions";

        var (_, error) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);

        var problem = error.ShouldBeOfType<ProblemHttpResult>().ProblemDetails;
        problem.Status.ShouldBe(400);
        problem.Detail.ShouldNotBeNullOrWhiteSpace();
        problem.Extensions["param"].ShouldBe("messages[0].role");
    }

    // A valid request padded with spaces to exactly the given size.
    private static string Padded(long bytes) => Valid + new string(' ', (int)bytes - Valid.Length);

    private static DefaultHttpContext Http(string body)
    {
        var http = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton(Options.Create(new GatewayOptions { MaxRequestBytes = Limit })).BuildServiceProvider(),
        };
        http.Request.Path = "/v1/chat/completions";
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return http;
    }
}
