using Orchestrator.Agents;

namespace Orchestrator.Apis;

/// <summary>
/// What the tenant's agents remember of each user, under <c>/v1/agents/memory</c>: the users, one user's memory in
/// all three tiers (conversations, memories recalled by similarity, facts), and erasing it whole.
/// </summary>
public static class MemoryApi
{
    public static IEndpointRouteBuilder MapMemoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/agents/memory/users").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", ListUsers);
        api.MapGet("/{user}", GetUser);
        api.MapDelete("/{user}", EraseUser);
        return app;
    }

    public static async Task<IResult> ListUsers(AgentMemory memory, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Json(new { @object = "list", data = await memory.ListUsersAsync(Math.Clamp(limit ?? 100, 1, 1000), cancellationToken) }, RunEvents.Json);

    public static async Task<IResult> GetUser(string user, AgentMemory memory, CancellationToken cancellationToken) =>
        TypedResults.Json(await memory.GetAsync(user, cancellationToken), RunEvents.Json);

    /// <summary>Erased whole, or (Redis or the database away) not answered as done: the caller tries again.</summary>
    public static async Task<IResult> EraseUser(string user, AgentMemory memory, CancellationToken cancellationToken) =>
        TypedResults.Json(await memory.EraseAsync(user, cancellationToken), RunEvents.Json);
}
