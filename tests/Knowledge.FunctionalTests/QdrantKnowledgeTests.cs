using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Ingestion;
using Ingestion.Infrastructure;
using Ingestion.Model;
using Microsoft.Extensions.Options;
using Platform.Tenancy;
using Platform.Testing.Mocks;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Knowledge.FunctionalTests;

[Collection(ProviderEmbeddingsPlatform.Name)]
public sealed class QdrantKnowledgeTests(PlatformFixture platform, ProviderEmbeddingsPlatformFixture secondPlatform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    private FakeQdrantServer Qdrant => secondPlatform.Qdrant;

    [Fact]
    public async Task Chunks_EmbeddedByTheProvidersModel_AreSearchedInQdrant_ThroughTheTenantFilter_AndDeleted()
    {
        var (tenantA, a) = await secondPlatform.CreateTenantAsync("qdrant-a");
        var (tenantB, b) = await secondPlatform.CreateTenantAsync("qdrant-b");
        using var _ = a;
        using var __ = b;
        var marker = Guid.NewGuid().ToString("N");
        var warranty = await IngestionTests.UploadAsync(a, "warranty.md", Encoding.UTF8.GetBytes($"# Warranty\n\nThe warranty covers every part of the bicycle for two years. Reference {marker}."));
        var shipping = await IngestionTests.UploadAsync(a, "shipping.md", Encoding.UTF8.GetBytes("# Shipping\n\nParcels ship within three days to forty countries."));
        // Tenant B's own document about the same thing: with no tenant filter, A's would outrank it for A's words.
        var other = await IngestionTests.UploadAsync(b, "terms.md", Encoding.UTF8.GetBytes("# Terms\n\nThe guarantee lasts one year."));
        foreach (var (http, document) in new[] { (a, warranty), (a, shipping), (b, other) })
        {
            await IngestionTests.WaitForStatusAsync(http, document, "indexed");
        }

        // The provider's model embedded the chunks: Qdrant's collection has its size, and the mock saw the text.
        var collection = Qdrant.Collections["document_chunks"];
        collection.Size.ShouldBe((ulong)MockOpenAiServer.WordsDimensions);
        collection.PayloadIndexes["tenant_id"].Type.ShouldBe(FieldType.Keyword);
        collection.PayloadIndexes["tenant_id"].Params!.KeywordIndexParams.IsTenant.ShouldBeTrue();
        collection.SparseVectors["text"].Modifier.ShouldBe(Modifier.Idf);
        platform.MockOpenAi.LastRequestContaining(marker).Body["model"]!.GetValue<string>().ShouldBe(MockOpenAiServer.WordsEmbeddingModel);
        collection.Points.Values.Count(p => p.Payload["tenant_id"].StringValue == tenantA.ToString()).ShouldBe(2);

        var results = await IngestionTests.SearchAsync(a, "how long does the warranty cover the bicycle parts");
        results[0].GetProperty("documentId").GetGuid().ShouldBe(warranty);
        results[0].GetProperty("text").GetString()!.ShouldContain("two years");
        results.ShouldAllBe(r => r.GetProperty("documentId").GetGuid() != other);
        var fromB = await IngestionTests.SearchAsync(b, "how long does the warranty cover the bicycle parts");
        fromB.Select(r => r.GetProperty("documentId").GetGuid()).ShouldBe([other]);
        var chunks = (await a.GetFromJsonAsync<JsonElement[]>($"/api/v1/ingestion/documents/{warranty}/chunks", Cancellation))!;
        chunks.Single().GetProperty("text").GetString()!.ShouldContain("two years");

        // Every read, search and delete Qdrant received was confined to one tenant by a must condition.
        var confined = Requests().Where(r => r is QueryPoints or ScrollPoints or DeletePoints).ToList();
        confined.ShouldContain(r => r is QueryPoints && TenantOf(r) == tenantA.ToString());
        confined.ShouldContain(r => r is QueryPoints && TenantOf(r) == tenantB.ToString());
        confined.ShouldContain(r => r is ScrollPoints);
        confined.ShouldAllBe(r => TenantOf(r) != null);

        (await a.DeleteAsync($"/api/v1/ingestion/documents/{warranty}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        collection.Points.Values.ShouldNotContain(p => p.Payload["document_id"].StringValue == warranty.ToString());
        (await IngestionTests.SearchAsync(a, "how long does the warranty cover the bicycle parts")).ShouldAllBe(r => r.GetProperty("documentId").GetGuid() != warranty);
        collection.Points.Values.Count(p => p.Payload["tenant_id"].StringValue == tenantB.ToString()).ShouldBe(1);

        // The provider's embeddings are charged to the tenant: per document processed and per search (the mock
        // counts 3 tokens an input; each document is one chunk), and Billing meters them.
        var usage = await UsageEvents.ForTenantAsync(secondPlatform.App, tenantA, expected: 4);
        usage.ShouldAllBe(u => u.Model == $"mock/{MockOpenAiServer.WordsEmbeddingModel}" && u.InputTokens == 3 && u.Cost == 0.0000003m);
        usage.Select(u => u.Endpoint).ShouldBe(["ingestion.embeddings", "ingestion.embeddings", "ingestion.search", "ingestion.search"], ignoreOrder: true);
        await Eventually.TrueAsync(async () => (await a.GetFromJsonAsync<JsonElement>("/api/v1/billing/usage", Cancellation))
            .GetProperty("totals").GetProperty("cost").GetDecimal() == 4 * 0.0000003m, "the embeddings metered");
    }

    [Fact]
    public async Task AGroundedChat_CitesTheTenantsChunksFromQdrant_AndNeverAnotherTenants()
    {
        var (_, a) = await secondPlatform.CreateTenantAsync("qdrant-rag-a");
        var (_, b) = await secondPlatform.CreateTenantAsync("qdrant-rag-b");
        using var _ = a;
        using var __ = b;
        var manual = await IngestionTests.UploadAsync(a, "espresso.md", Encoding.UTF8.GetBytes("# Descaling\n\nDescale the espresso machine every 200 cups with citric acid."));
        await IngestionTests.WaitForStatusAsync(a, manual, "indexed");
        var marker = Guid.NewGuid().ToString("N");

        var grounded = await a.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            retrieval = true,
            messages = new[] { new { role = "user", content = $"how often should I descale the espresso machine {marker}" } },
        }, Cancellation);
        var other = await b.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            retrieval = true,
            messages = new[] { new { role = "user", content = $"how often should I descale the espresso machine {marker} b" } },
        }, Cancellation);

        grounded.StatusCode.ShouldBe(HttpStatusCode.OK);
        grounded.Headers.GetValues("x-citations").Single().ShouldContain($"{manual}#0");
        ChatSentWith($"{marker}\"")["messages"]![0]!["content"]!.GetValue<string>().ShouldContain("every 200 cups");
        other.Headers.GetValues("x-citations").Single().ShouldBe("none");
        ChatSentWith($"{marker} b").ToJsonString().ShouldNotContain("every 200 cups");
    }

    [Fact]
    public async Task ACode_IsFoundByItsWords_WhereTheVectorSearchMissesIt_AndHybridRanksItFirst_WithinTheTenant()
    {
        var (tenantA, a) = await secondPlatform.CreateTenantAsync("qdrant-text-a");
        var (tenantB, b) = await secondPlatform.CreateTenantAsync("qdrant-text-b");
        using var _ = a;
        using var __ = b;
        var errors = await IngestionTests.UploadAsync(a, "errors.md", Encoding.UTF8.GetBytes("# Errors\n\nCode E4012 means the key has expired: create a new key in the console."));
        // Chunks about other things that share the question's small words ("there", "for", "they", "that"): the words
        // model counts them, so its vectors put these nearer the question; full-text search drops them as stop words.
        var others = new List<Guid>();
        foreach (var (name, text) in new[]
        {
            ("forms.md", "# Forms\n\nThey say there is a form for each new team."),
            ("badges.md", "# Badges\n\nThere is a badge for each visitor; they return it at the desk."),
            ("lunch.md", "# Lunch\n\nThere is soup for lunch; they say that the canteen is open."),
        })
        {
            others.Add(await IngestionTests.UploadAsync(a, name, Encoding.UTF8.GetBytes(text)));
        }
        // Tenant B's own chunk with the code: with no tenant filter, it would be found for A too.
        var shop = await IngestionTests.UploadAsync(b, "shop.md", Encoding.UTF8.GetBytes("# Errors\n\nE4012 at our shop means that the till is offline."));
        foreach (var (http, document) in others.Select(d => (a, d)).Append((a, errors)).Append((b, shop)))
        {
            await IngestionTests.WaitForStatusAsync(http, document, "indexed");
        }
        const string question = "is there a fix for the E4012 that they see";

        var nearest = await IngestionTests.SearchAsync(a, question, "vector");
        nearest.Select(r => r.GetProperty("documentId").GetGuid()).ShouldBe(others, ignoreOrder: true);
        var byWords = await IngestionTests.SearchAsync(a, question, "text");
        byWords.Select(r => r.GetProperty("documentId").GetGuid()).ShouldBe([errors]);
        byWords[0].GetProperty("score").GetSingle().ShouldBe(1f);
        var hybrid = await IngestionTests.SearchAsync(a, question, "hybrid");
        hybrid[0].GetProperty("documentId").GetGuid().ShouldBe(errors);
        hybrid.ShouldAllBe(r => r.GetProperty("documentId").GetGuid() != shop);
        (await IngestionTests.SearchAsync(b, question, "text")).Select(r => r.GetProperty("documentId").GetGuid()).ShouldBe([shop]);
        (await IngestionTests.SearchAsync(b, question, "hybrid")).Select(r => r.GetProperty("documentId").GetGuid()).ShouldBe([shop]);

        // Hybrid asked Qdrant once for both lists; every query by words carried the tenant filter.
        Qdrant.Log.ShouldContain(r => r.Request is QueryBatchPoints && ((QueryBatchPoints)r.Request).QueryPoints.Any(q => q.Using == "text"));
        var byText = Requests().OfType<QueryPoints>().Where(q => q.Using == "text").ToList();
        byText.ShouldAllBe(q => TenantOf(q) != null);
        byText.ShouldContain(q => TenantOf(q) == tenantA.ToString());
        byText.ShouldContain(q => TenantOf(q) == tenantB.ToString());
        Qdrant.Collections["document_chunks"].Points.Values.ShouldAllBe(p => p.Sparse.ContainsKey("text"));
    }

    [Fact]
    public async Task ACollectionCreatedBeforeTextSearch_IsSearchedByVector_AndRefusesTextSearch_UntilCreatedAgain()
    {
        using var qdrant = new QdrantClient(new Uri(Qdrant.Root), FakeQdrantServer.ApiKey);
        var name = $"legacy_{Guid.NewGuid():N}";
        await qdrant.CreateCollectionAsync(name, new VectorParams { Size = 2, Distance = Distance.Cosine }, cancellationToken: Cancellation);
        var tenant = new TenantContext();
        tenant.Enter(Guid.NewGuid());
        var store = new QdrantChunkCollection(qdrant, tenant, Options.Create(new IngestionOptions { QdrantCollection = name }));
        var code = Chunk(tenant, "Code E4012 means the key has expired.", [1, 0]);
        var other = Chunk(tenant, "Staff may take twenty-five days of paid leave.", [0, 1]);

        // Its points keep the one vector it has: Qdrant refuses (or drops) a vector by a name it does not know.
        await store.UpsertAsync([code, other], Cancellation);
        Qdrant.Collections[name].Points.Values.ShouldAllBe(p => p.Sparse.Count == 0);

        (await store.TextSearchUnavailableAsync(Cancellation)).ShouldNotBeNull().ShouldContain("created before full-text search");
        (await store.TextSearchAsync(["E4012"], 5, Cancellation).ToListAsync(Cancellation)).ShouldBeEmpty();
        var found = await store.HybridSearchAsync(new float[] { 0, 1 }, ["E4012"], 2, cancellationToken: Cancellation).ToListAsync(Cancellation);
        found.Select(r => r.Record.Id).ShouldBe([other.Id, code.Id]);
        found[0].Score!.Value.ShouldBe(1, tolerance: 0.0001);
        Qdrant.Log.ShouldNotContain(r => r.Request is QueryBatchPoints && ((QueryBatchPoints)r.Request).CollectionName == name);
    }

    private static DocumentChunk Chunk(TenantContext tenant, string text, float[] embedding) => new()
    {
        Id = Guid.NewGuid(),
        TenantId = tenant.RequiredTenantId,
        DocumentId = Guid.NewGuid(),
        Text = text,
        TokenCount = 10,
        Embedding = embedding,
    };

    /// <summary>What Qdrant was asked, with each query of a batch on its own.</summary>
    private IEnumerable<IMessage> Requests() =>
        Qdrant.Log.SelectMany(r => r.Request is QueryBatchPoints batch ? batch.QueryPoints.Cast<IMessage>() : [r.Request]);

    // The question also reached the mock to be embedded; this is the chat request.
    private JsonObject ChatSentWith(string marker) =>
        platform.MockOpenAi.Requests.Last(r => r.Body["messages"] is not null && r.Body.ToJsonString().Contains(marker, StringComparison.Ordinal)).Body;

    private static string? TenantOf(IMessage request) => (request switch
    {
        QueryPoints query => query.Filter,
        ScrollPoints scroll => scroll.Filter,
        DeletePoints delete => delete.Points.Filter,
        _ => null,
    })?.Must.FirstOrDefault(c => c.Field?.Key == "tenant_id")?.Field.Match.Keyword;
}
