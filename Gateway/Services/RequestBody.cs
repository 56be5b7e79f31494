using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Gateway.Services;

/// <summary>Reads a JSON body up to the configured size: over it is 413, unreadable JSON or a bad field is 400.</summary>
public static class RequestBody
{
    /// <summary>The request <paramref name="read"/> makes of the body, or the OpenAI error that says why there is none.</summary>
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
                return (null, ex.ToResult());
            }
        }
    }

    private static async Task<(JsonDocument? Document, IResult? Error)> ReadDocumentAsync(HttpContext http)
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxRequestBytes;
        if (http.Request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, TooLarge(limit));
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), null);
        }
        catch (JsonException ex)
        {
            return (null, OpenAiErrors.Create(StatusCodes.Status400BadRequest,
                $"We could not parse the JSON body of your request: {ex.Message}"));
        }
    }

    private static IResult TooLarge(long limit) => OpenAiErrors.Create(StatusCodes.Status413PayloadTooLarge,
        $"The request body is larger than {limit} bytes.", code: "request_too_large");
}
