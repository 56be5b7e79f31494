using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Keys;

/// <summary>Tenant API keys: <c>sk-aip-</c> and 256 random bits; stored only as a SHA-256 hash and a short prefix.</summary>
public static class ApiKeySecret
{
    public const string Scheme = "sk-aip-";

    /// <summary>Longer presented keys are refused before hashing.</summary>
    public const int MaxLength = 256;

    private const int PrefixLength = 12;

    public static (string Key, string Prefix, string Hash) New()
    {
        var key = Scheme + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (key, PrefixOf(key), Hash(key));
    }

    public static string PrefixOf(string key) => key[..Math.Min(PrefixLength, key.Length)];

    public static string Hash(ReadOnlySpan<char> key)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, MaxLength);
        Span<byte> utf8 = stackalloc byte[MaxLength * 3];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return Convert.ToHexStringLower(hash);
    }
}
