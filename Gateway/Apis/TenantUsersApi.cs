using System.Text.RegularExpressions;
using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Apis;

/// <summary>A tenant's administrators, who sign in to the portal (<see cref="SessionsApi"/>).</summary>
public static partial class TenantUsersApi
{
    public const int MinimumPasswordLength = 12;

    public static RouteGroupBuilder MapTenantUsersApi(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/tenants/{tenantId:guid}/users");
        users.MapPost("/", CreateUser);
        users.MapGet("/", ListUsers);
        users.MapDelete("/{userId:guid}", DeleteUser);
        return admin;
    }

    public static async Task<Results<Created<TenantUserSummary>, NotFound, ValidationProblem, ProblemHttpResult>> CreateUser(
        Guid tenantId, CreateTenantUserRequest request, GatewayDbContext db, TenantContext tenant, IPasswordHasher<TenantUser> hasher, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        var email = request.Email is null ? "" : TenantUser.NormalizeEmail(request.Email);
        var errors = new Dictionary<string, string[]>();
        if (email.Length > 254 || !EmailAddress().IsMatch(email))
        {
            errors["email"] = ["An email address of up to 254 characters, such as ada@example.com."];
        }
        if (request.Password is null || request.Password.Length < MinimumPasswordLength)
        {
            errors["password"] = [$"A password of at least {MinimumPasswordLength} characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        tenant.Enter(tenantId);
        var user = new TenantUser { Id = Guid.CreateVersion7(), TenantId = tenantId, Email = email, PasswordHash = "", CreatedAt = time.GetUtcNow() };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.TenantUsers.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"A user with the email '{email}' exists.");
        }
        return TypedResults.Created($"/api/v1/admin/tenants/{tenantId}/users/{user.Id}", TenantUserSummary.From(user));
    }

    public static async Task<Ok<List<TenantUserSummary>>> ListUsers(Guid tenantId, GatewayDbContext db, TenantContext tenant, CancellationToken cancellationToken)
    {
        tenant.Enter(tenantId);
        var users = await db.TenantUsers.AsNoTracking().OrderBy(u => u.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(users.ConvertAll(TenantUserSummary.From));
    }

    /// <summary>Deletes a user and revokes its portal sessions on every Gateway.</summary>
    public static async Task<Results<NoContent, NotFound>> DeleteUser(
        Guid tenantId, Guid userId, GatewayDbContext db, TenantContext tenant, TenantKeyInvalidator invalidator, CancellationToken cancellationToken)
    {
        tenant.Enter(tenantId);
        var user = await db.TenantUsers.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        await invalidator.RevokeAsync(k => k.UserId == userId && k.RevokedAt == null, cancellationToken);
        db.TenantUsers.Remove(user);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailAddress();
}

public sealed record CreateTenantUserRequest(string? Email, string? Password);

/// <summary>A user as listed: never its password hash.</summary>
public sealed record TenantUserSummary(Guid Id, Guid TenantId, string Email, DateTimeOffset CreatedAt)
{
    public static TenantUserSummary From(TenantUser user) => new(user.Id, user.TenantId, user.Email, user.CreatedAt);
}
