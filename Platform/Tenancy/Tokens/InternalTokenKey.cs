using System.Diagnostics.CodeAnalysis;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Tenancy;

internal static class InternalTokenKey
{
    public static SymmetricSecurityKey From(InternalTokenOptions options) =>
        TryFrom(options, out var key)
            ? key
            : throw new InvalidOperationException("InternalTokens:SigningKey must be base64 of at least 32 bytes; the AppHost generates one.");

    public static bool TryFrom(InternalTokenOptions options, [NotNullWhen(true)] out SymmetricSecurityKey? key)
    {
        var bytes = new byte[options.SigningKey.Length];
        key = Convert.TryFromBase64String(options.SigningKey, bytes, out var length) && length >= 32
            ? new SymmetricSecurityKey(bytes[..length])
            : null;
        return key is not null;
    }
}
