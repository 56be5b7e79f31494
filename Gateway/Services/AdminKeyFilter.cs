using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gateway.Services;

/// <summary>Admits a request to the admin API only with <c>Authorization: Bearer &lt;admin key&gt;</c>.</summary>
public sealed class AdminKeyFilter(IOptions<GatewayOptions> options) : IEndpointFilter
{
    private readonly byte[]? _adminKeyHash = options.Value.AdminKey is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
        // Hashes have equal length, so the comparison takes the same time whatever was presented.
        if (_adminKeyHash is null || presented.Length == 0
            || !CryptographicOperations.FixedTimeEquals(_adminKeyHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "The admin API needs Authorization: Bearer <admin key> (see .data/admin-key)."));
        }
        return next(context);
    }
}
