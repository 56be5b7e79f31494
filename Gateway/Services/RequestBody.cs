using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Gateway.Services;

/// <summary>Reads a JSON body up to the configured size: over it is 413, unreadable JSON is 400.</summary>
public static class RequestBody
{
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadAsync(HttpContext http)
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
