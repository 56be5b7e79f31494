using System.Buffers.Text;
using System.Security.Cryptography;

namespace AppHost;

/// <summary>The shapes of the secrets the AppHost generates.</summary>
internal static class Secrets
{
    /// <summary>Hex, so it is safe inside SQL literals, URLs and connection strings.</summary>
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>A signing key: 256 random bits in base64.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string NewAdminKey() => $"sk-admin-{NewPassword()}";

    /// <summary>A tenant API key in the Gateway's format: a recognisable prefix and 256 random bits.</summary>
    public static string NewApiKey() => "sk-aip-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
