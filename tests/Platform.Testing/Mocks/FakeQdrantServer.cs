using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Platform.Testing.Mocks;

/// <summary>
/// A Qdrant stand-in on a real port, following Qdrant's documented HTTP API for what a connector needs: collections
/// (exists, create, payload indexes), points (upsert, scroll, delete, query) with cosine similarity, and filters
/// (<c>must</c> of <c>match.value</c> on a payload key, and <c>has_id</c>); <c>api-key</c> checked; anything else 400.
/// No Qdrant server can be installed on this machine, so the connector is tested against this.
/// </summary>
public sealed class FakeQdrantServer : MockServer
{
    public const string ApiKey = "qdrant-test-key";

    /// <summary>Collections by name: their vector size and points (id → vector and payload).</summary>
    public ConcurrentDictionary<string, Collection> Collections { get; } = new();

    /// <summary>Every request: method, path and body (null when it had none).</summary>
    public ConcurrentQueue<(string Method, string Path, JsonObject? Body)> Log { get; } = new();

    public string ConnectionString => $"Endpoint={Root};Key={ApiKey}";

    public static async Task<FakeQdrantServer> StartAsync()
    {
        var server = new FakeQdrantServer();
        await server.StartAsync(app =>
        {
            app.MapGet("/healthz", () => "healthz check passed");
            // As Qdrant does, its health endpoint answers without a key.
            app.Use(async (http, next) =>
            {
                if (http.Request.Path != "/healthz" && http.Request.Headers["api-key"] != ApiKey)
                {
                    await WriteJsonAsync(http, new JsonObject { ["status"] = new JsonObject { ["error"] = "Must provide an API key or an Authorization bearer token" } }, 401);
                    return;
                }
                await next(http);
            });
            app.MapGet("/collections/{name}/exists", (string name, HttpContext http) =>
                server.Answer(http, null, new JsonObject { ["exists"] = server.Collections.ContainsKey(name) }));
            app.MapPut("/collections/{name}", server.CreateCollectionAsync);
            app.MapPut("/collections/{name}/index", server.CreateIndexAsync);
            app.MapPut("/collections/{name}/points", server.UpsertAsync);
            app.MapPost("/collections/{name}/points/scroll", server.ScrollAsync);
            app.MapPost("/collections/{name}/points/delete", server.DeleteAsync);
            app.MapPost("/collections/{name}/points/query", server.QueryAsync);
        });
        return server;
    }

    public sealed class Collection(int size)
    {
        public int Size { get; } = size;

        public ConcurrentDictionary<string, string> PayloadIndexes { get; } = new();

        public ConcurrentDictionary<string, (float[] Vector, JsonObject Payload)> Points { get; } = new();
    }

    private async Task CreateCollectionAsync(string name, HttpContext http)
    {
        var body = await BodyAsync(http);
        var size = body?["vectors"]?["size"]?.GetValue<int>() ?? 0;
        if (size <= 0 || body!["vectors"]!["distance"]?.ToString() != "Cosine")
        {
            await ErrorAsync(http, 400, "Format error in JSON body: vectors.size and vectors.distance are required");
            return;
        }
        if (!Collections.TryAdd(name, new Collection(size)))
        {
            await ErrorAsync(http, 409, $"Wrong input: Collection `{name}` already exists!");
            return;
        }
        await Answer(http, body, true);
    }

    private async Task CreateIndexAsync(string name, HttpContext http)
    {
        var body = await BodyAsync(http);
        if (!Collections.TryGetValue(name, out var collection))
        {
            await NotFoundAsync(http, name);
            return;
        }
        var schema = body?["field_schema"] is JsonObject typed ? typed["type"]?.ToString() : body?["field_schema"]?.ToString();
        if (body?["field_name"]?.ToString() is not { Length: > 0 } field || schema is null)
        {
            await ErrorAsync(http, 400, "Format error in JSON body: field_name and field_schema are required");
            return;
        }
        collection.PayloadIndexes[field] = schema;
        await Answer(http, body, Completed());
    }

    private async Task UpsertAsync(string name, HttpContext http)
    {
        var body = await BodyAsync(http);
        if (!Collections.TryGetValue(name, out var collection))
        {
            await NotFoundAsync(http, name);
            return;
        }
        foreach (var point in body?["points"]?.AsArray() ?? [])
        {
            var vector = point!["vector"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
            if (vector.Length != collection.Size || !Guid.TryParse(point["id"]?.ToString(), out _))
            {
                await ErrorAsync(http, 400, $"Wrong input: Vector dimension error: expected dim: {collection.Size}, got {vector.Length}");
                return;
            }
            collection.Points[point["id"]!.ToString()] = (vector, point["payload"]?.AsObject().DeepClone().AsObject() ?? []);
        }
        await Answer(http, body, Completed());
    }

    private async Task ScrollAsync(string name, HttpContext http)
    {
        var body = await BodyAsync(http);
        if (!Collections.TryGetValue(name, out var collection))
        {
            await NotFoundAsync(http, name);
            return;
        }
        if (!TryMatch(body?["filter"], out var matches))
        {
            await ErrorAsync(http, 400, "Format error in JSON body: unsupported filter");
            return;
        }
        // Points in id order, a page from the offset on.
        var limit = body?["limit"]?.GetValue<int>() ?? 10;
        var offset = body?["offset"]?.ToString();
        var selected = collection.Points.Where(p => matches(p.Key, p.Value.Payload)).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SkipWhile(p => offset is not null && string.CompareOrdinal(p.Key, offset) < 0).Take(limit + 1).ToList();
        await Answer(http, body, new JsonObject
        {
            ["points"] = new JsonArray([.. selected.Take(limit).Select(p => Point(p.Key, p.Value, null, body?["with_vector"]?.GetValue<bool>() == true))]),
            ["next_page_offset"] = selected.Count > limit ? selected[^1].Key : null,
        });
    }

    private async Task DeleteAsync(string name, HttpContext http)
    {
        var body = await BodyAsync(http);
        if (!Collections.TryGetValue(name, out var collection))
        {
            await NotFoundAsync(http, name);
            return;
        }
        if (body?["filter"] is null || !TryMatch(body["filter"], out var matches))
        {
            await ErrorAsync(http, 400, "Format error in JSON body: a filter is required here");
            return;
        }
        foreach (var (id, point) in collection.Points.ToList())
        {
            if (matches(id, point.Payload))
            {
                collection.Points.TryRemove(id, out _);
            }
        }
        await Answer(http, body, Completed());
    }

    private async Task QueryAsync(string name, HttpContext http)
    {
        var body = await BodyAsync(http);
        if (!Collections.TryGetValue(name, out var collection))
        {
            await NotFoundAsync(http, name);
            return;
        }
        var query = body?["query"]?.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        if (query?.Length != collection.Size || !TryMatch(body!["filter"], out var matches))
        {
            await ErrorAsync(http, 400, "Wrong input: a query vector of the collection's size and a supported filter are required");
            return;
        }
        var threshold = body["score_threshold"]?.GetValue<float>() ?? float.MinValue;
        var scored = collection.Points.Where(p => matches(p.Key, p.Value.Payload))
            .Select(p => (p.Key, p.Value, Score: Cosine(p.Value.Vector, query)))
            .Where(p => p.Score >= threshold)
            .OrderByDescending(p => p.Score)
            .Skip(body["offset"]?.GetValue<int>() ?? 0)
            .Take(body["limit"]?.GetValue<int>() ?? 10);
        await Answer(http, body, new JsonObject
        {
            ["points"] = new JsonArray([.. scored.Select(p => Point(p.Key, p.Value, p.Score, body["with_vector"]?.GetValue<bool>() == true))]),
        });
    }

    /// <summary>Qdrant's filter semantics for what the connector sends: every <c>must</c> condition holds.</summary>
    private static bool TryMatch(JsonNode? filter, out Func<string, JsonObject, bool> matches)
    {
        var conditions = new List<Func<string, JsonObject, bool>>();
        matches = (_, _) => false;
        if (filter is JsonObject clauses && clauses.Any(c => c.Key != "must"))
        {
            return false;
        }
        foreach (var condition in filter?["must"]?.AsArray() ?? [])
        {
            if (condition?["key"]?.ToString() is { } key && condition["match"]?["value"] is { } value)
            {
                var expected = value.ToJsonString();
                conditions.Add((_, payload) => payload[key]?.ToJsonString() == expected);
            }
            else if (condition?["has_id"] is JsonArray ids)
            {
                var set = ids.Select(i => i!.ToString()).ToHashSet();
                conditions.Add((id, _) => set.Contains(id));
            }
            else
            {
                return false;
            }
        }
        matches = (id, payload) => conditions.TrueForAll(c => c(id, payload));
        return true;
    }

    private static JsonObject Point(string id, (float[] Vector, JsonObject Payload) point, float? score, bool withVector)
    {
        var json = new JsonObject { ["id"] = id, ["version"] = 1, ["payload"] = point.Payload.DeepClone() };
        if (score is not null)
        {
            json["score"] = score;
        }
        if (withVector)
        {
            json["vector"] = new JsonArray([.. point.Vector.Select(v => (JsonNode)v)]);
        }
        return json;
    }

    private static float Cosine(float[] a, float[] b) =>
        a.Zip(b, (x, y) => x * y).Sum() / MathF.Sqrt(a.Sum(x => x * x) * b.Sum(x => x * x));

    private static JsonObject Completed() => new() { ["operation_id"] = 1, ["status"] = "completed" };

    private async Task<JsonObject?> BodyAsync(HttpContext http)
    {
        var body = http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0
            ? (await JsonNode.ParseAsync(http.Request.Body))?.AsObject()
            : null;
        Log.Enqueue((http.Request.Method, http.Request.Path.Value!, body?.DeepClone().AsObject()));
        return body;
    }

    private Task Answer(HttpContext http, JsonObject? body, JsonNode result)
    {
        if (body is null && http.Request.Method == HttpMethods.Get)
        {
            Log.Enqueue((http.Request.Method, http.Request.Path.Value!, null));
        }
        return WriteJsonAsync(http, new JsonObject { ["result"] = result, ["status"] = "ok", ["time"] = 0.0001 });
    }

    private static Task NotFoundAsync(HttpContext http, string name) => ErrorAsync(http, 404, $"Not found: Collection `{name}` doesn't exist!");

    private static Task ErrorAsync(HttpContext http, int status, string error) =>
        WriteJsonAsync(http, new JsonObject { ["status"] = new JsonObject { ["error"] = error }, ["time"] = 0.0001 }, status);
}
