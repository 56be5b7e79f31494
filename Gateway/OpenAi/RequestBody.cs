using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;

namespace Gateway.OpenAi;

/// <summary>
/// Reads a JSON body up to the configured size: over it is 413; another content type, bytes that are not UTF-8,
/// unreadable JSON or a bad field is 400, as OpenAI answers them (in the path's shape: see <see cref="ApiErrors"/>).
/// </summary>
public static class RequestBody
{
    /// <summary>The request <paramref name="read"/> makes of the body, or the error that says why there is none.</summary>
    public static async Task<(T? Request, IResult? Error)> ReadAsync<T>(HttpContext http, Func<JsonElement, T> read) where T : class
    {
        var (document, error) = await ReadDocumentAsync(http);
        if (error is not null)
        {
            return (null, error);
        }
        using (document)
        {
            try
            {
                return (read(document!.RootElement), null);
            }
            catch (InvalidRequestException ex)
            {
                return (null, ex.ToResult(http));
            }
        }
    }

    private static async Task<(JsonDocument? Document, IResult? Error)> ReadDocumentAsync(HttpContext http)
    {
        // A body without a content type is read as JSON; one that names another type is refused, as OpenAI does.
        if (http.Request.ContentType is { } contentType && !http.Request.HasJsonContentType())
        {
            return (null, ApiErrors.Create(http, StatusCodes.Status400BadRequest,
                $"Unsupported content type: '{contentType}'. This API method only accepts 'application/json' requests.", code: "unsupported_content_type"));
        }
        var limit = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxRequestBytes;
        if (http.Request.ContentLength > limit)
        {
            return (null, TooLarge(http, limit));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, TooLarge(http, limit));
            }
            buffer.Write(chunk, 0, read);
        }
        // A chunked body declares no length, yet the limits and the budget estimate its tokens from it: the bytes read.
        http.Request.ContentLength ??= buffer.Length;
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // The JSON reader checks strings' UTF-8 only when they are read, as an InvalidOperationException.
        if (!Utf8.IsValid(body.Span))
        {
            return (null, ApiErrors.Create(http, StatusCodes.Status400BadRequest, "The request body is not valid UTF-8 text."));
        }
        try
        {
            return (JsonDocument.Parse(body), null);
        }
        catch (JsonException ex)
        {
            return (null, ApiErrors.Create(http, StatusCodes.Status400BadRequest,
                $"We could not parse the JSON body of your request: {ex.Message}"));
        }
    }

    private static IResult TooLarge(HttpContext http, long limit) => ApiErrors.Create(http, StatusCodes.Status413PayloadTooLarge,
        $"The request body is larger than {limit} bytes.", code: "request_too_large");
}
