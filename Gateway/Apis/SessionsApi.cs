using System.Globalization;
using System.Text.Json;
using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Apis;

/// <summary>
/// The portal's sign-in for tenant administrators. A session is an API key of kind <c>session</c>, so lookup,
/// expiry and revocation across Gateways are the keys' own. Its errors are ProblemDetails, as on every platform API,
/// with a <c>code</c> (<c>invalid_credentials</c>, <c>too_many_attempts</c>, <c>tenant_disabled</c>).
/// </summary>
public static class SessionsApi
{
    // Verified when no user has the email, so an unknown email costs the same time as a wrong password.
    private static readonly Lazy<string> UnknownUserHash = new(() => new PasswordHasher<TenantUser>().HashPassword(null!, Guid.NewGuid().ToString()));

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("api/v1/auth/sessions");
        sessions.MapPost("/", SignIn);
        sessions.MapDelete("/current", SignOut).RequireAuthorization(GatewayAuthentication.PlatformPolicy);
        return app;
    }

    public static async Task<IResult> SignIn(
        HttpContext http, GatewayDbContext db, TenantContext tenant, IPasswordHasher<TenantUser> hasher, SignInThrottle throttle,
        IOptions<GatewayOptions> options, TimeProvider time)
    {
        var (request, invalid) = await RequestBody.ReadAsync(http, SignInRequest.Read);
        if (invalid is not null)
        {
            return invalid;
        }
        var email = TenantUser.NormalizeEmail(request!.Email);
        if (await throttle.LockedForAsync(email) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return ApiErrors.Create(http, StatusCodes.Status429TooManyRequests, "Too many failed sign-ins for this email; try again later.",
                type: "requests", code: "too_many_attempts");
        }

        var found = await FindUserAsync(db, email, http.RequestAborted);
        var verified = hasher.VerifyHashedPassword(found?.User!, found?.User.PasswordHash ?? UnknownUserHash.Value, request.Password) != PasswordVerificationResult.Failed;
        if (!verified || found is not ({ } user, { } owner))
        {
            await throttle.RecordFailureAsync(email);
            return ApiErrors.Create(http, StatusCodes.Status401Unauthorized, "Incorrect email or password.", code: "invalid_credentials");
        }
        if (owner.Status != TenantStatus.Active)
        {
            return ApiErrors.Create(http, StatusCodes.Status403Forbidden, $"The tenant '{owner.Name}' is disabled.", code: "tenant_disabled");
        }

        tenant.Enter(user.TenantId);
        var now = time.GetUtcNow();
        var (secret, prefix, hash) = ApiKeySecret.New();
        var name = $"portal session: {email}";
        var session = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = user.TenantId,
            Name = name[..Math.Min(name.Length, 128)],
            Prefix = prefix,
            Hash = hash,
            Scopes = [ApiKeyScopes.Inference, ApiKeyScopes.Platform],
            ExpiresAt = now + options.Value.SessionLifetime,
            CreatedAt = now,
            Kind = ApiKeyKinds.Session,
            UserId = user.Id,
        };
        db.ApiKeys.Add(session);
        await db.SaveChangesAsync(http.RequestAborted);
        await throttle.ResetAsync(email);
        return TypedResults.Created("/api/v1/auth/sessions/current", new Session(secret, session.ExpiresAt.Value, owner.Id, owner.Name, email));
    }

    /// <summary>Revokes the session presented: every Gateway refuses it from the next request on.</summary>
    public static async Task<IResult> SignOut(HttpContext http, TenantContext tenant, TenantKeyInvalidator invalidator)
    {
        var key = http.TenantKey();
        tenant.Enter(key.TenantId);
        // Only a session ends here: an API key sent by mistake is left working.
        return await invalidator.RevokeAsync(k => k.Id == key.KeyId && k.Kind == ApiKeyKinds.Session, http.RequestAborted) > 0
            ? TypedResults.NoContent()
            : ApiErrors.Create(http, StatusCodes.Status403Forbidden, "This is an API key, not a portal session; revoke it with DELETE /api/v1/keys/{id}.",
                code: "not_a_session");
    }

    // Row-level security shows a user's row to whoever names its email, before the tenant is known.
    private static async Task<(TenantUser User, Tenant Tenant)?> FindUserAsync(GatewayDbContext db, string email, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT set_config('app.user_email', {email}, true)", cancellationToken);
        var found = await db.TenantUsers.AsNoTracking().Where(u => u.Email == email)
            .Join(db.Tenants.AsNoTracking(), u => u.TenantId, t => t.Id, (user, tenant) => new { user, tenant })
            .FirstOrDefaultAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return found is null ? null : (found.user, found.tenant);
    }
}

public sealed record SignInRequest(string Email, string Password)
{
    public static SignInRequest Read(JsonElement body) => new(Required(body, "email"), Required(body, "password"));

    private static string Required(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidRequestException(name, $"'{name}' is required.");
}

/// <summary>A new session: its key (shown this once) and whom it signs in.</summary>
public sealed record Session(string Key, DateTimeOffset ExpiresAt, Guid TenantId, string TenantName, string Email);
