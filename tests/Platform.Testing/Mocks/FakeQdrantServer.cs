using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Qdrant.Client.Grpc;

namespace Platform.Testing.Mocks;

/// <summary>
/// A Qdrant stand-in on a real port, speaking Qdrant's gRPC API (HTTP/2 without TLS, as Qdrant's port 6334 does) for
/// what the connector calls: health, collection exists, create and info, payload indexes, upsert, scroll, query (alone
/// or in a batch) by the unnamed dense vector (cosine) or by a named sparse vector (dot product, with Qdrant's IDF
/// modifier when configured), and delete by filter. Filters are a <c>must</c> of keyword or integer matches on a
/// payload key and <c>has_id</c>; anything else is refused with InvalidArgument rather than answered wrongly, and a
/// call without the API key with PermissionDenied, as Qdrant does. Qdrant.Client ships only client stubs, so the methods are bound here
/// by hand over the client's own message types: the wire format is the client's. No Qdrant server can be installed on
/// this machine, so the connector is tested against this.
/// </summary>
public sealed class FakeQdrantServer : MockServer
{
    public const string ApiKey = "qdrant-test-key";

    /// <summary>Collections by name.</summary>
    public ConcurrentDictionary<string, Collection> Collections { get; } = new();

    /// <summary>Every call let in: its gRPC method (<c>/qdrant.Points/Query</c>) and request.</summary>
    public ConcurrentQueue<(string Method, IMessage Request)> Log { get; } = new();

    public string ConnectionString => $"Endpoint={Root};Key={ApiKey}";

    public static async Task<FakeQdrantServer> StartAsync()
    {
        var server = new FakeQdrantServer();
        await server.StartAsync(app => app.MapGrpcService<FakeQdrantServer>(), builder =>
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(server);
            builder.Services.AddSingleton<IServiceMethodProvider<FakeQdrantServer>, Methods>();
        });
        return server;
    }

    public sealed class Collection(ulong size, IReadOnlyDictionary<string, SparseVectorParams> sparseVectors)
    {
        public ulong Size { get; } = size;

        /// <summary>The named sparse vectors, as configured at creation.</summary>
        public IReadOnlyDictionary<string, SparseVectorParams> SparseVectors { get; } = sparseVectors;

        public ConcurrentDictionary<string, PayloadIndex> PayloadIndexes { get; } = new();

        /// <summary>Points by id (a UUID's canonical text), their vectors normalised as Qdrant stores them for cosine.</summary>
        public ConcurrentDictionary<string, StoredPoint> Points { get; } = new();
    }

    public sealed record PayloadIndex(FieldType Type, PayloadIndexParams? Params);

    /// <summary>A point: its dense vector, its payload, and its sparse vectors by name (each a value by index).</summary>
    public sealed record StoredPoint(float[] Vector, MapField<string, Value> Payload, IReadOnlyDictionary<string, Dictionary<uint, float>> Sparse);

    private static HealthCheckReply HealthCheck(HealthCheckRequest request) => new() { Title = "qdrant - vector search engine", Version = "fake" };

    private CollectionExistsResponse CollectionExists(CollectionExistsRequest request) =>
        new() { Result = new CollectionExists { Exists = Collections.ContainsKey(request.CollectionName) } };

    private CollectionOperationResponse Create(CreateCollection request)
    {
        if (request.VectorsConfig?.Params is not { Size: > 0, Distance: Distance.Cosine } vectors)
        {
            throw Refused(StatusCode.InvalidArgument, "this fake keeps one unnamed vector a point, compared by Cosine");
        }
        var sparse = request.SparseVectorsConfig?.Map ?? [];
        if (sparse.Any(s => s.Key.Length == 0 || s.Value.Index is not null || s.Value.Modifier is not (Modifier.None or Modifier.Idf)))
        {
            throw Refused(StatusCode.InvalidArgument, "this fake's sparse vectors are named, with the default index, and an IDF modifier or none");
        }
        if (!Collections.TryAdd(request.CollectionName, new Collection(vectors.Size, sparse.ToDictionary(s => s.Key, s => s.Value.Clone()))))
        {
            throw Refused(StatusCode.AlreadyExists, $"Wrong input: Collection `{request.CollectionName}` already exists!");
        }
        return new() { Result = true };
    }

    private GetCollectionInfoResponse Info(GetCollectionInfoRequest request)
    {
        var collection = Find(request.CollectionName);
        var info = new CollectionInfo
        {
            Status = CollectionStatus.Green,
            PointsCount = (ulong)collection.Points.Count,
            Config = new CollectionConfig
            {
                Params = new CollectionParams
                {
                    VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = collection.Size, Distance = Distance.Cosine } },
                    SparseVectorsConfig = collection.SparseVectors.Count > 0 ? new SparseVectorConfig { Map = { collection.SparseVectors.ToDictionary() } } : null,
                },
            },
        };
        foreach (var (field, index) in collection.PayloadIndexes)
        {
            info.PayloadSchema[field] = new PayloadSchemaInfo { DataType = Enum.Parse<PayloadSchemaType>(index.Type.ToString()), Params = index.Params };
        }
        return new() { Result = info };
    }

    private PointsOperationResponse CreateFieldIndex(CreateFieldIndexCollection request)
    {
        var collection = Find(request.CollectionName);
        if (request.FieldName.Length == 0 || !request.HasFieldType)
        {
            throw Refused(StatusCode.InvalidArgument, "Wrong input: a field name and a field type are required");
        }
        collection.PayloadIndexes[request.FieldName] = new PayloadIndex(request.FieldType, request.FieldIndexParams);
        return Completed();
    }

    private PointsOperationResponse Upsert(UpsertPoints request)
    {
        var collection = Find(request.CollectionName);
        // The whole batch is checked before any point is written.
        var points = request.Points.Select(point =>
        {
            // The unnamed vector alone, or by its name ("") beside named sparse ones.
            var named = point.Vectors?.Vectors_?.Vectors;
            var vector = (point.Vectors?.Vector ?? named?.GetValueOrDefault(""))?.Dense?.Data.ToArray()
                ?? throw Refused(StatusCode.InvalidArgument, "this fake reads one dense vector a point, unnamed or named \"\"");
            var sparse = (named ?? []).Where(v => v.Key.Length > 0).ToDictionary(v => v.Key, v => collection.SparseVectors.ContainsKey(v.Key)
                ? Sparse(v.Value.VectorCase == Vector.VectorOneofCase.Sparse ? v.Value.Sparse : throw Refused(StatusCode.InvalidArgument, $"this fake reads '{v.Key}' as a sparse vector"))
                : throw Refused(StatusCode.InvalidArgument, $"Wrong input: Not existing vector name error: {v.Key}"));
            return (ulong)vector.Length == collection.Size
                ? (Id: IdOf(point.Id), Point: new StoredPoint(Normalised(vector), point.Payload.Clone(), sparse))
                : throw Refused(StatusCode.InvalidArgument, $"Wrong input: Vector dimension error: expected dim: {collection.Size}, got {vector.Length}");
        }).ToList();
        foreach (var (id, point) in points)
        {
            collection.Points[id] = point;
        }
        return Completed();
    }

    private ScrollResponse Scroll(ScrollPoints request)
    {
        var collection = Find(request.CollectionName);
        var matches = Matcher(request.Filter);
        var limit = request.HasLimit ? (int)request.Limit : 10;
        var from = request.Offset is { } offset ? IdOf(offset) : null;
        // Points in id order (a UUID's canonical text sorts as its value), a page from the offset on.
        var page = collection.Points.Where(p => matches(p.Key, p.Value.Payload)).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SkipWhile(p => from is not null && string.CompareOrdinal(p.Key, from) < 0).Take(limit + 1).ToList();
        var response = new ScrollResponse();
        response.Result.AddRange(page.Take(limit).Select(p => new RetrievedPoint
        {
            Id = new PointId { Uuid = p.Key },
            Payload = { Enabled(request.WithPayload) ? p.Value.Payload : [] },
            Vectors = Enabled(request.WithVectors) ? Output(p.Value) : null,
        }));
        if (page.Count > limit)
        {
            response.NextPageOffset = new PointId { Uuid = page[^1].Key };
        }
        return response;
    }

    private QueryResponse Query(QueryPoints request)
    {
        var response = new QueryResponse();
        response.Result.AddRange(Scored(request));
        return response;
    }

    private QueryBatchResponse QueryBatch(QueryBatchPoints request)
    {
        if (request.QueryPoints.Any(q => q.CollectionName != request.CollectionName))
        {
            throw Refused(StatusCode.InvalidArgument, "this fake's batches query their own collection");
        }
        // Every query is checked before any is answered, as one request.
        var results = request.QueryPoints.Select(Scored).ToList();
        var response = new QueryBatchResponse();
        response.Result.AddRange(results.Select(points => new BatchResult { Result = { points } }));
        return response;
    }

    /// <summary>
    /// Nearest by the unnamed dense vector (cosine), or, with <c>using</c> a sparse vector's name, by a sparse query:
    /// the sum, over the indices both hold, of the query's value times the point's, times the index's IDF when the
    /// vector has Qdrant's modifier (ln(1 + (N − n + 0.5) / (n + 0.5)) over the collection's N points, n of which hold
    /// the index). As Qdrant's sparse search, only points sharing an index with the query are found.
    /// </summary>
    private List<ScoredPoint> Scored(QueryPoints request)
    {
        var collection = Find(request.CollectionName);
        if (request.Prefetch.Count > 0)
        {
            throw Refused(StatusCode.InvalidArgument, "this fake answers a nearest query without prefetch");
        }
        var matches = Matcher(request.Filter);
        var score = request.HasUsing ? SparseScore(collection, request) : DenseScore(collection, request);
        var threshold = request.HasScoreThreshold ? request.ScoreThreshold : float.MinValue;
        // Best first.
        var scored = collection.Points.Where(p => matches(p.Key, p.Value.Payload))
            .Select(p => (p.Key, p.Value, Score: score(p.Value)))
            .Where(p => p.Score is { } s && s >= threshold)
            .OrderByDescending(p => p.Score)
            .Skip((int)request.Offset)
            .Take(request.HasLimit ? (int)request.Limit : 10);
        return [.. scored.Select(p => new ScoredPoint
        {
            Id = new PointId { Uuid = p.Key },
            Score = p.Score!.Value,
            Payload = { Enabled(request.WithPayload) ? p.Value.Payload : [] },
            Vectors = Enabled(request.WithVectors) ? Output(p.Value) : null,
        })];
    }

    private static Func<StoredPoint, float?> DenseScore(Collection collection, QueryPoints request)
    {
        var query = request.Query?.Nearest?.Dense?.Data.ToArray();
        if ((ulong?)query?.Length != collection.Size)
        {
            throw Refused(StatusCode.InvalidArgument, "this fake answers a nearest query by one dense vector of the collection's size");
        }
        // Cosine of normalised vectors is their dot product.
        var normalised = Normalised(query!);
        return point => point.Vector.Zip(normalised, (x, y) => x * y).Sum();
    }

    private static Func<StoredPoint, float?> SparseScore(Collection collection, QueryPoints request)
    {
        if (!collection.SparseVectors.TryGetValue(request.Using, out var config) || request.Query?.Nearest?.Sparse is not { } sparse)
        {
            throw Refused(StatusCode.InvalidArgument, $"this fake answers a query using '{request.Using}' only by a sparse vector of that name");
        }
        var vectors = collection.Points.Values.Select(p => p.Sparse.GetValueOrDefault(request.Using)).ToList();
        var weights = Sparse(sparse).ToDictionary(q => q.Key, q =>
        {
            var holding = vectors.Count(v => v?.ContainsKey(q.Key) == true);
            var idf = Math.Log(1 + ((vectors.Count - holding + 0.5) / (holding + 0.5)));
            return config.Modifier == Modifier.Idf ? q.Value * (float)idf : q.Value;
        });
        return point => point.Sparse.GetValueOrDefault(request.Using) is { } vector && weights.Keys.Any(vector.ContainsKey)
            ? weights.Where(w => vector.ContainsKey(w.Key)).Sum(w => w.Value * vector[w.Key])
            : null;
    }

    private PointsOperationResponse Delete(DeletePoints request)
    {
        var collection = Find(request.CollectionName);
        var matches = request.Points?.Filter is { } filter
            ? Matcher(filter)
            : throw Refused(StatusCode.InvalidArgument, "this fake deletes points by filter only");
        foreach (var (id, point) in collection.Points)
        {
            if (matches(id, point.Payload))
            {
                collection.Points.TryRemove(id, out _);
            }
        }
        return Completed();
    }

    private Collection Find(string name) =>
        Collections.TryGetValue(name, out var collection)
            ? collection
            : throw Refused(StatusCode.NotFound, $"Not found: Collection `{name}` doesn't exist!");

    /// <summary>Qdrant's filter semantics for what the connector sends: every <c>must</c> condition holds.</summary>
    private static Func<string, MapField<string, Value>, bool> Matcher(Filter? filter)
    {
        if (filter is null)
        {
            return (_, _) => true;
        }
        if (filter.Should.Count > 0 || filter.MustNot.Count > 0 || filter.MinShould is not null)
        {
            throw Refused(StatusCode.InvalidArgument, "this fake's filters are a must of conditions");
        }
        var conditions = filter.Must.Select(Matcher).ToList();
        return (id, payload) => conditions.TrueForAll(condition => condition(id, payload));
    }

    private static Func<string, MapField<string, Value>, bool> Matcher(Condition condition)
    {
        if (condition.HasId is { } hasId)
        {
            var ids = hasId.HasId.Select(IdOf).ToHashSet();
            return (id, _) => ids.Contains(id);
        }
        var field = condition.Field;
        return field?.Match?.MatchValueCase switch
        {
            Match.MatchValueOneofCase.Keyword => (_, payload) =>
                ValuesAt(payload, field.Key).Any(v => v.KindCase == Value.KindOneofCase.StringValue && v.StringValue == field.Match.Keyword),
            Match.MatchValueOneofCase.Integer => (_, payload) =>
                ValuesAt(payload, field.Key).Any(v => v.KindCase == Value.KindOneofCase.IntegerValue && v.IntegerValue == field.Match.Integer),
            _ => throw Refused(StatusCode.InvalidArgument, $"this fake's conditions are has_id, or a keyword or integer match: not {condition}"),
        };
    }

    // A payload value matches when it, or an element of it as an array, does.
    private static RepeatedField<Value> ValuesAt(MapField<string, Value> payload, string key) =>
        !payload.TryGetValue(key, out var value) ? [] : value.KindCase == Value.KindOneofCase.ListValue ? value.ListValue.Values : [value];

    private static string IdOf(PointId id) =>
        id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Uuid && Guid.TryParse(id.Uuid, out var uuid)
            ? uuid.ToString()
            : throw Refused(StatusCode.InvalidArgument, "this fake keeps points with UUID ids");

    private static bool Enabled(WithPayloadSelector? selector) => selector?.SelectorOptionsCase switch
    {
        null or WithPayloadSelector.SelectorOptionsOneofCase.None => false,
        WithPayloadSelector.SelectorOptionsOneofCase.Enable => selector.Enable,
        _ => throw Refused(StatusCode.InvalidArgument, "this fake returns the whole payload or none"),
    };

    private static bool Enabled(WithVectorsSelector? selector) => selector?.SelectorOptionsCase switch
    {
        null or WithVectorsSelector.SelectorOptionsOneofCase.None => false,
        WithVectorsSelector.SelectorOptionsOneofCase.Enable => selector.Enable,
        _ => throw Refused(StatusCode.InvalidArgument, "this fake returns the vector or none"),
    };

    // As Qdrant: the unnamed vector alone, or by its name ("") beside the point's sparse vectors.
    private static VectorsOutput Output(StoredPoint point)
    {
        var dense = new VectorOutput { Dense = new DenseVector { Data = { point.Vector } } };
        if (point.Sparse.Count == 0)
        {
            return new() { Vector = dense };
        }
        var named = new NamedVectorsOutput { Vectors = { [""] = dense } };
        foreach (var (name, values) in point.Sparse)
        {
            named.Vectors[name] = new VectorOutput { Sparse = new SparseVector { Indices = { values.Keys }, Values = { values.Values } } };
        }
        return new() { Vectors = named };
    }

    private static Dictionary<uint, float> Sparse(SparseVector vector) =>
        vector.Indices.Count == vector.Values.Count && vector.Indices.Distinct().Count() == vector.Indices.Count
            ? vector.Indices.Zip(vector.Values).ToDictionary(v => v.First, v => v.Second)
            : throw Refused(StatusCode.InvalidArgument, "Validation error: a sparse vector's indices must be unique and as many as its values");

    private static float[] Normalised(float[] vector)
    {
        var length = MathF.Sqrt(vector.Sum(x => x * x));
        return length > 0 ? [.. vector.Select(x => x / length)] : vector;
    }

    private static PointsOperationResponse Completed() => new() { Result = new UpdateResult { Status = UpdateStatus.Completed } };

    private static RpcException Refused(StatusCode code, string detail) => new(new Status(code, detail));

    /// <summary>Binds Qdrant's gRPC methods (service and method names as in Qdrant's protos) to the fake's handlers.</summary>
    private sealed class Methods : IServiceMethodProvider<FakeQdrantServer>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<FakeQdrantServer> context)
        {
            Add<HealthCheckRequest, HealthCheckReply>(context, "qdrant.Qdrant", "HealthCheck", (_, request) => HealthCheck(request));
            Add<CollectionExistsRequest, CollectionExistsResponse>(context, "qdrant.Collections", "CollectionExists", (server, request) => server.CollectionExists(request));
            Add<CreateCollection, CollectionOperationResponse>(context, "qdrant.Collections", "Create", (server, request) => server.Create(request));
            Add<GetCollectionInfoRequest, GetCollectionInfoResponse>(context, "qdrant.Collections", "Get", (server, request) => server.Info(request));
            Add<CreateFieldIndexCollection, PointsOperationResponse>(context, "qdrant.Points", "CreateFieldIndex", (server, request) => server.CreateFieldIndex(request));
            Add<UpsertPoints, PointsOperationResponse>(context, "qdrant.Points", "Upsert", (server, request) => server.Upsert(request));
            Add<ScrollPoints, ScrollResponse>(context, "qdrant.Points", "Scroll", (server, request) => server.Scroll(request));
            Add<QueryPoints, QueryResponse>(context, "qdrant.Points", "Query", (server, request) => server.Query(request));
            Add<QueryBatchPoints, QueryBatchResponse>(context, "qdrant.Points", "QueryBatch", (server, request) => server.QueryBatch(request));
            Add<DeletePoints, PointsOperationResponse>(context, "qdrant.Points", "Delete", (server, request) => server.Delete(request));
        }

        private static void Add<TRequest, TResponse>(
            ServiceMethodProviderContext<FakeQdrantServer> context, string service, string name, Func<FakeQdrantServer, TRequest, TResponse> handle)
            where TRequest : class, IMessage<TRequest>, new()
            where TResponse : class, IMessage<TResponse>, new()
        {
            var method = new Method<TRequest, TResponse>(MethodType.Unary, service, name, Marshaller<TRequest>(), Marshaller<TResponse>());
            context.AddUnaryMethod(method, [], (server, request, call) =>
            {
                // Qdrant checks the key on every method, its health check included.
                if (call.RequestHeaders.GetValue("api-key") != ApiKey)
                {
                    throw Refused(StatusCode.PermissionDenied, "Must provide an API key or an Authorization bearer token");
                }
                server.Log.Enqueue((method.FullName, request));
                return Task.FromResult(handle(server, request));
            });
        }

        private static Marshaller<T> Marshaller<T>() where T : class, IMessage<T>, new() =>
            Marshallers.Create(message => message.ToByteArray(), new MessageParser<T>(() => new T()).ParseFrom);
    }
}
