namespace Gateway.Model;

/// <summary>A tenant's administrator, who signs in to the portal; the password is kept only as a salted hash.</summary>
public sealed class TenantUser
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Lowercase, and unique across the platform: signing in names no tenant.</summary>
    public required string Email { get; set; }

    /// <summary>ASP.NET Core Identity's <c>PasswordHasher</c> format (PBKDF2, salted, versioned).</summary>
    public required string PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>How an email is stored and looked up, so case never makes a second account or a failed sign-in.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}
