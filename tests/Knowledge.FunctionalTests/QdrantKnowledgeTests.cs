using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Platform.Testing.Mocks;
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
        var confined = Qdrant.Log.Select(r => r.Request).Where(r => r is QueryPoints or ScrollPoints or DeletePoints).ToList();
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
