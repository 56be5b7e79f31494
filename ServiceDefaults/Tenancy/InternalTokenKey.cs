using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

internal static class InternalTokenKey
{
    public static SymmetricSecurityKey From(InternalTokenOptions options)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(options.SigningKey);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("InternalTokens:SigningKey is not base64.");
        }
        if (key.Length < 32)
        {
            throw new InvalidOperationException("InternalTokens:SigningKey must hold at least 32 bytes; the AppHost generates one.");
        }
        return new SymmetricSecurityKey(key);
    }
}
