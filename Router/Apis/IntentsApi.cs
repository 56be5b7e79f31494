using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Router.Infrastructure;
using Router.Model;
using Router.Services;

namespace Router.Apis;

/// <summary>
/// A tenant's own labelled examples: they pull the global intents toward its wording, or teach intents of its own
/// (<c>invoice-dispute</c>), which the Router then learns figures for like any other.
/// </summary>
public static partial class IntentsApi
{
    private const int MaximumExamples = 1000;

    public static IEndpointRouteBuilder MapIntentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/router/intents").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", ListIntents);
        api.MapPost("/examples", AddExample);
        api.MapDelete("/examples/{id:guid}", DeleteExample);
        return app;
    }

    public static async Task<Ok<IntentCatalog>> ListIntents(RouterDbContext db, IntentClassifier classifier, CancellationToken cancellationToken) =>
        TypedResults.Ok(new IntentCatalog(
            [.. classifier.Intents.Order(StringComparer.Ordinal)],
            await db.IntentExamples.AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken)));

    public static async Task<Results<Created<IntentExample>, ValidationProblem, Conflict<string>>> AddExample(
        IntentExampleRequest request, RouterDbContext db, TenantContext tenant, TimeProvider time, PolicyStore policies, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Intent is null || !IntentName().IsMatch(request.Intent))
        {
            errors["intent"] = ["An intent is 1 to 64 lowercase letters, digits, '-' or '_'."];
        }
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > 2000)
        {
            errors["text"] = ["An example is a text of up to 2,000 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await db.IntentExamples.CountAsync(cancellationToken) >= MaximumExamples)
        {
            return TypedResults.Conflict($"A tenant keeps at most {MaximumExamples} examples; delete some first.");
        }
        var example = new IntentExample
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.RequiredTenantId,
            Intent = request.Intent!,
            Text = request.Text!.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        db.IntentExamples.Add(example);
        await db.SaveChangesAsync(cancellationToken);
        policies.Forget();
        return TypedResults.Created($"/api/v1/router/intents/examples/{example.Id}", example);
    }

    public static async Task<Results<NoContent, NotFound>> DeleteExample(Guid id, RouterDbContext db, PolicyStore policies, CancellationToken cancellationToken)
    {
        // Row-level security: another tenant's example is as absent as a made-up one.
        if (await db.IntentExamples.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return TypedResults.NotFound();
        }
        policies.Forget();
        return TypedResults.NoContent();
    }

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex IntentName();
}

public sealed record IntentExampleRequest(string? Intent, string? Text);

/// <summary>The global intents, and the calling tenant's own examples.</summary>
public sealed record IntentCatalog(List<string> Global, List<IntentExample> Examples);
