using System.ClientModel;
using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Agents;

/// <summary>The Gateway's answer to a run's model call that failed, as the error the run ends with.</summary>
public static class GatewayErrors
{
    public static ExecutionError From(ClientResultException exception)
    {
        var response = exception.GetRawResponse();
        var status = exception.Status is >= 400 and < 600 ? exception.Status : StatusCodes.Status502BadGateway;
        double? retryAfter = response?.Headers.TryGetValue("Retry-After", out var wait) == true
            && double.TryParse(wait, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
        try
        {
            if (response?.Content is { } content && JsonDocument.Parse(content.ToMemory()).RootElement.TryGetProperty("error", out var error))
            {
                return new ExecutionError(status, error.GetProperty("message").GetString() ?? exception.Message,
                    error.TryGetProperty("type", out var type) ? type.GetString() ?? "api_error" : "api_error",
                    error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null,
                    retryAfter);
            }
        }
        catch (JsonException)
        {
            // Not the Gateway's error shape: described below.
        }
        return new ExecutionError(status, $"A model call of the run failed: {exception.Message}", "api_error", "model_call_failed", retryAfter);
    }
}
