using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;
using Platform.Catalog;
using Platform.Messaging;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Knowledge.FunctionalTests;

// Documents through the Gateway with a tenant's platform key: stored raw, then extracted and chunked by a JetStream job.
public sealed class IngestionTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Formats => new()
    {
        { "hours.txt", "The office opens at nine and closes at five." },
        { "policy.md", "Items can be returned within thirty days." },
        { "warranty.html", "Two years on all parts." },
        { "manual.pdf", "Press the red button to reset the device." },
        { "guide.docx", "Keep the receipt for every repair." },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EachFormat_IsExtractedAndChunked_UnderItsHeading(string fileName, string sentence)
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "docs" });
        using var http = TenantHttp(key);

        var document = await UploadAsync(http, fileName, Fixture(fileName, sentence));
        var indexed = await WaitForStatusAsync(http, document, "indexed");

        indexed.GetProperty("chunks").GetInt32().ShouldBeGreaterThan(0);
        var chunks = await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/ingestion/documents/{document}/chunks", Cancellation);
        var holding = chunks!.Single(c => c.GetProperty("text").GetString()!.Contains(sentence, StringComparison.Ordinal));
        holding.GetProperty("tokenCount").GetInt32().ShouldBeGreaterThan(0);
        if (fileName is not ("hours.txt" or "manual.pdf"))
        {
            holding.GetProperty("heading").GetString().ShouldBe("Details");
        }
        chunks!.ShouldAllBe(c => !c.GetProperty("text").GetString()!.Contains("hidden script", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALongDocument_IsCutIntoOverlappingChunksOfBoundedSize()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "long-doc" });
        using var http = TenantHttp(key);
        var paragraphs = Enumerable.Range(0, 120).Select(i => $"Paragraph {i} says that clause {i} of the contract covers case number {i * 7} in detail.");
        var document = await UploadAsync(http, "contract.md", Encoding.UTF8.GetBytes("# Contract\n\n" + string.Join("\n\n", paragraphs)));
        await WaitForStatusAsync(http, document, "indexed");

        var chunks = (await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/ingestion/documents/{document}/chunks", Cancellation))!;

        chunks.Length.ShouldBeGreaterThan(3);
        chunks.ShouldAllBe(c => c.GetProperty("tokenCount").GetInt32() <= 400 + 50);
        // Each chunk after the first begins with the end of the one before (from its first whole word).
        for (var i = 1; i < chunks.Length; i++)
        {
            var previous = chunks[i - 1].GetProperty("text").GetString()!;
            var opening = chunks[i].GetProperty("text").GetString()![..60].Split(' ', 2)[1];
            previous[^400..].ShouldContain(opening);
        }
        string.Join(" ", chunks.Select(c => c.GetProperty("text").GetString())).ShouldContain("Paragraph 119 says");
    }

    [Fact]
    public async Task NothingIsLost_WhenIngestionStopsMidJob_TheJobResumes()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "resume" });
        using var http = TenantHttp(key);
        // About 25 chunks: a few seconds of the neural model's work, so the job is still queued or running when Ingestion stops.
        var paragraphs = Enumerable.Range(0, 600).Select(i => $"Section {i}: the maintenance log records inspection {i} of pump {i % 17}.");
        var document = await UploadAsync(http, "log.md", Encoding.UTF8.GetBytes(string.Join("\n\n", paragraphs)));

        // Stopped while the job is queued or running: the raw document is stored and the job unacknowledged.
        await platform.App.StopResourceAsync("ingestion");
        await platform.App.StartResourceAsync("ingestion");

        var indexed = await WaitForStatusAsync(http, document, "indexed");
        indexed.GetProperty("chunks").GetInt32().ShouldBeGreaterThan(10);
        var chunks = (await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/ingestion/documents/{document}/chunks", Cancellation))!;
        chunks.Select(c => c.GetProperty("index").GetInt32()).ShouldBe(Enumerable.Range(0, chunks.Length));
        string.Join(" ", chunks.Select(c => c.GetProperty("text").GetString())).ShouldContain("inspection 599 of pump");
    }

    [Fact]
    public async Task APoisonDocument_IsRetried_ThenDeadLettered_AndShowsFailedWithItsReason()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "poison" });
        using var http = TenantHttp(key);

        var document = await UploadAsync(http, "broken.pdf", Encoding.ASCII.GetBytes("%PDF-1.7 this is not a PDF at all"));
        var failed = await WaitForStatusAsync(http, document, "failed");

        failed.GetProperty("reason").GetString()!.ShouldNotBeNullOrWhiteSpace();
        failed.GetProperty("chunks").GetInt32().ShouldBe(0);
        var deadLetter = await ReadDeadLetterAsync(document);
        deadLetter.Headers![DeadLetterHeaders.Deliveries].ToString().ShouldBe("3");
    }

    [Fact]
    public async Task SameContent_IsOneDocument_AndDelete_RemovesItAndItsChunks()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "delete-doc" });
        using var http = TenantHttp(key);
        var content = Fixture("policy.md", "Refunds take five days.");
        var document = await UploadAsync(http, "policy.md", content);
        await WaitForStatusAsync(http, document, "indexed");
        (await UploadAsync(http, "policy-copy.md", content)).ShouldBe(document);

        (await http.DeleteAsync($"/api/v1/ingestion/documents/{document}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await http.GetAsync($"/api/v1/ingestion/documents/{document}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync($"/api/v1/ingestion/documents/{document}/chunks", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.DeleteAsync($"/api/v1/ingestion/documents/{document}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("ingestiondb"));
        await connection.OpenAsync(Cancellation);
        await using var count = new NpgsqlCommand($"SELECT set_config('app.tenant_id', '{tenantId}', false); SELECT count(*) FROM document_chunks WHERE document_id = '{document}'", connection);
        await using var reader = await count.ExecuteReaderAsync(Cancellation);
        await reader.NextResultAsync(Cancellation);
        (await reader.ReadAsync(Cancellation)).ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(0);
    }

    [Fact]
    public async Task Reprocess_IndexesTheDocumentAgain_IntoTheSameChunks()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "reprocess" });
        using var http = TenantHttp(key);
        var document = await UploadAsync(http, "policy.md", Fixture("policy.md", "Refunds are paid within ten days."));
        var first = await WaitForStatusAsync(http, document, "indexed");
        var chunks = await http.GetStringAsync($"/api/v1/ingestion/documents/{document}/chunks", Cancellation);

        var reprocess = await http.PostAsync($"/api/v1/ingestion/documents/{document}/reprocess", null, Cancellation);

        reprocess.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await Eventually.TrueAsync(async () =>
        {
            var current = await http.GetFromJsonAsync<JsonElement>($"/api/v1/ingestion/documents/{document}", Cancellation);
            return current.GetProperty("status").GetString() == "indexed"
                && current.GetProperty("processedAt").GetDateTimeOffset() > first.GetProperty("processedAt").GetDateTimeOffset();
        }, "the document indexed again");
        (await http.GetStringAsync($"/api/v1/ingestion/documents/{document}/chunks", Cancellation)).ShouldBe(chunks);
        // Each chunk once in search: processed again, not added again.
        var found = (await SearchAsync(http, "when are refunds paid")).Where(r => r.GetProperty("documentId").GetGuid() == document).ToList();
        found.Select(r => r.GetProperty("chunkIndex").GetInt32()).Order().ShouldBe(Enumerable.Range(0, first.GetProperty("chunks").GetInt32()));
        (await http.PostAsync($"/api/v1/ingestion/documents/{Guid.NewGuid()}/reprocess", null, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnUnsupportedFormat_Is400_AndAnotherTenant_SeesNoneOfItsDocuments()
    {
        var (_, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "docs-a" });
        var (_, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "docs-b" });
        using var a = TenantHttp(keyA);
        using var b = TenantHttp(keyB);
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "image.png" } };
        var refused = await a.PostAsync("/api/v1/ingestion/documents", form, Cancellation);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("errors").TryGetProperty("file", out _).ShouldBeTrue();

        var document = await UploadAsync(a, "secret.txt", Encoding.UTF8.GetBytes("Tenant A's secret plan."));
        await WaitForStatusAsync(a, document, "indexed");

        (await b.GetAsync($"/api/v1/ingestion/documents/{document}/chunks", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await b.DeleteAsync($"/api/v1/ingestion/documents/{document}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await a.GetAsync($"/api/v1/ingestion/documents/{document}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Search_FindsTheRightChunk_ForgetsADeletedDocument_AndNeverCrossesTenants()
    {
        var (_, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "search-a" });
        var (_, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "search-b" });
        using var a = TenantHttp(keyA);
        using var b = TenantHttp(keyB);
        var warranty = await UploadAsync(a, "warranty.md", Encoding.UTF8.GetBytes("# Warranty\n\nThe warranty covers every part of the bicycle for two years."));
        var shipping = await UploadAsync(a, "shipping.md", Encoding.UTF8.GetBytes("# Shipping\n\nParcels ship within three days to forty countries."));
        var returns = await UploadAsync(a, "returns.md", Encoding.UTF8.GetBytes("# Returns\n\nUnused items may be returned within thirty days for a refund."));
        foreach (var document in new[] { warranty, shipping, returns })
        {
            await WaitForStatusAsync(a, document, "indexed");
        }

        var results = await SearchAsync(a, "how long does the warranty cover the bicycle parts");
        results[0].GetProperty("documentId").GetGuid().ShouldBe(warranty);
        results[0].GetProperty("text").GetString()!.ShouldContain("two years");
        results[0].GetProperty("score").GetSingle().ShouldBeGreaterThan(results[^1].GetProperty("score").GetSingle());
        (await SearchAsync(a, "can I get a refund for unused items"))[0].GetProperty("documentId").GetGuid().ShouldBe(returns);
        (await SearchAsync(b, "how long does the warranty cover the bicycle parts")).ShouldBeEmpty();

        (await a.DeleteAsync($"/api/v1/ingestion/documents/{warranty}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await SearchAsync(a, "how long does the warranty cover the bicycle parts")).ShouldAllBe(r => r.GetProperty("documentId").GetGuid() != warranty);
        (await a.PostAsJsonAsync("/api/v1/ingestion/search", new { query = "", top = 3 }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await a.PostAsJsonAsync("/api/v1/ingestion/search", new { query = "x", top = 500 }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Search_ByWords_ByMeaning_AndBoth_EachFindsWhatItShould()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "search-modes" });
        using var http = TenantHttp(key);
        var errors = await UploadAsync(http, "errors.md", Encoding.UTF8.GetBytes("# Errors\n\nError E4012 means the API key has expired: create a new key in the console."));
        var leave = await UploadAsync(http, "leave.md", Encoding.UTF8.GetBytes("# Leave\n\nStaff may take twenty-five days of paid leave each year."));
        await WaitForStatusAsync(http, errors, "indexed");
        await WaitForStatusAsync(http, leave, "indexed");

        // A code: its words find it; a question in other words: its meaning does.
        (await SearchAsync(http, "E4012", "text"))[0].GetProperty("documentId").GetGuid().ShouldBe(errors);
        (await SearchAsync(http, "how much vacation do employees get", "text")).ShouldAllBe(r => r.GetProperty("documentId").GetGuid() != leave);
        (await SearchAsync(http, "how much vacation do employees get", "vector"))[0].GetProperty("documentId").GetGuid().ShouldBe(leave);
        // Hybrid (the default) finds both.
        (await SearchAsync(http, "what does E4012 mean"))[0].GetProperty("documentId").GetGuid().ShouldBe(errors);
        (await SearchAsync(http, "how much vacation do employees get"))[0].GetProperty("documentId").GetGuid().ShouldBe(leave);

        var refused = await http.PostAsJsonAsync("/api/v1/ingestion/search", new { query = "leave", mode = "fuzzy" }, Cancellation);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("errors").TryGetProperty("mode", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task ChunksOfAnotherEmbeddingModel_AreFoundByTheirWords_ThenEmbeddedAgain_AndNeverMixedIn()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "reembed" });
        using var http = TenantHttp(key);
        var document = await UploadAsync(http, "parking.md", Encoding.UTF8.GetBytes("# Parking\n\nVisitors park in the north garage; the barrier code is given at reception."));
        await WaitForStatusAsync(http, document, "indexed");
        // As an earlier embedder left them: vectors of the same size from another model. This one is the question's own
        // vector, so a stale vector compared with the question would score its full 1.0.
        const string question = "where do visitors park the car";
        var asked = await http.PostAsJsonAsync("/v1/embeddings", new { model = $"local/{ModelCatalog.LocalEmbeddingModel}", input = question }, Cancellation);
        var vector = (await asked.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("data")[0].GetProperty("embedding")
            .EnumerateArray().Select(v => v.GetSingle()).ToArray();
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("ingestiondb"));
        await connection.OpenAsync(Cancellation);
        await using (var aged = new NpgsqlCommand(
            $"SELECT set_config('app.tenant_id', '{tenantId}', false); UPDATE document_chunks SET embedding_model = 'local/local-embedding', embedding = @vector", connection))
        {
            aged.Parameters.AddWithValue("vector", vector);
            (await aged.ExecuteNonQueryAsync(Cancellation)).ShouldBe(1);
        }

        // The tenant's first search meets them: the index leaves them out and queues them to be embedded again, their
        // words still find them. The job is quick, so the search may already see the new vector; never the stale one.
        var found = (await SearchAsync(http, question)).ShouldHaveSingleItem();
        found.GetProperty("documentId").GetGuid().ShouldBe(document);
        found.GetProperty("score").GetDouble().ShouldBeLessThan(1.0);

        // A background job embeds them again with the configured model; then the vector search finds them too.
        await Eventually.TrueAsync(async () =>
        {
            await using var models = new NpgsqlCommand("SELECT count(*) FROM document_chunks WHERE embedding_model IS DISTINCT FROM 'local/local-embedding@all-MiniLM-L6-v2'", connection);
            return (long)(await models.ExecuteScalarAsync(Cancellation))! == 0;
        }, "the chunks embedded again");
        var nearest = (await SearchAsync(http, question, "vector")).ShouldHaveSingleItem();
        nearest.GetProperty("documentId").GetGuid().ShouldBe(document);
        nearest.GetProperty("score").GetDouble().ShouldBeLessThan(0.99);
    }

    [Fact]
    public async Task AChatThatAsksForRetrieval_IsGroundedInTheTenantsDocuments_WithCitations()
    {
        var (_, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "rag-a" });
        var (_, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "rag-b" });
        using var a = TenantHttp(keyA);
        using var b = TenantHttp(keyB);
        var manual = await UploadAsync(a, "espresso.md", Encoding.UTF8.GetBytes("# Descaling\n\nDescale the espresso machine every 200 cups with citric acid."));
        await WaitForStatusAsync(a, manual, "indexed");
        var marker = Guid.NewGuid().ToString("N");

        var grounded = await a.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            retrieval = new { top = 2 },
            messages = new[] { new { role = "user", content = $"how often should I descale the espresso machine {marker}" } },
        }, Cancellation);

        grounded.StatusCode.ShouldBe(HttpStatusCode.OK);
        grounded.Headers.GetValues("x-citations").Single().ShouldContain($"{manual}#0");
        grounded.Headers.GetValues("x-cache").Single().ShouldBe("bypass");
        var citations = (await grounded.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("citations");
        citations[0].GetProperty("document_id").GetGuid().ShouldBe(manual);
        citations[0].GetProperty("text").GetString()!.ShouldContain("every 200 cups");
        // The provider saw the source before the question.
        var sent = platform.MockOpenAi.LastRequestContaining(marker).Body["messages"]!.AsArray();
        sent[0]!["role"]!.GetValue<string>().ShouldBe("system");
        sent[0]!["content"]!.GetValue<string>().ShouldContain("Descale the espresso machine every 200 cups");

        // Tenant B asks the same: none of A's documents come back.
        var other = await b.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            retrieval = true,
            messages = new[] { new { role = "user", content = $"how often should I descale the espresso machine {marker} b" } },
        }, Cancellation);
        other.Headers.GetValues("x-citations").Single().ShouldBe("none");
        (await other.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("citations").GetArrayLength().ShouldBe(0);
        platform.MockOpenAi.LastRequestContaining($"{marker} b").Body.ToJsonString().ShouldNotContain("every 200 cups");

        var invalid = await a.PostAsJsonAsync("/v1/chat/completions", new { model = "mock/mock-1", retrieval = new { top = 99 }, messages = new[] { new { role = "user", content = "x" } } }, Cancellation);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("param").GetString().ShouldBe("retrieval.top");
    }

    internal static async Task<JsonElement[]> SearchAsync(HttpClient http, string query, string? mode = null)
    {
        var response = await http.PostAsJsonAsync("/api/v1/ingestion/search", new { query, top = 3, mode }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancellation));
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("results").EnumerateArray()];
    }

    /// <summary>A small document of each format, with a "Details" heading above <paramref name="sentence"/> where the format has headings.</summary>
    private static byte[] Fixture(string fileName, string sentence) => Path.GetExtension(fileName) switch
    {
        ".md" => Encoding.UTF8.GetBytes($"# Overview\n\nA short document.\n\n## Details\n\n{sentence}\n"),
        ".html" => Encoding.UTF8.GetBytes($"<html><head><style>p {{ color: red }}</style></head><body><h1>Overview</h1><p>A short page.</p><h2>Details</h2><p>{sentence}</p><script>var s = 'hidden script';</script></body></html>"),
        ".pdf" => Pdf(sentence),
        ".docx" => Docx(sentence),
        _ => Encoding.UTF8.GetBytes($"A plain note.\n\n{sentence}\n"),
    };

    private static byte[] Pdf(string sentence)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        page.AddText("Overview", 16, new PdfPoint(40, 760), font);
        page.AddText(sentence, 12, new PdfPoint(40, 730), font);
        return builder.Build();
    }

    private static byte[] Docx(string sentence)
    {
        using var stream = new MemoryStream();
        using (var word = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            word.AddMainDocumentPart().Document = new Document(new Body(
                new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Title" }), new Run(new Text("Overview"))),
                new Paragraph(new Run(new Text("A short document."))),
                new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Heading2" }), new Run(new Text("Details"))),
                new Paragraph(new Run(new Text(sentence)))));
        }
        return stream.ToArray();
    }

    internal static async Task<Guid> UploadAsync(HttpClient http, string fileName, byte[] content)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", fileName } };
        var response = await http.PostAsync("/api/v1/ingestion/documents", form, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Cancellation));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
    }

    internal static async Task<JsonElement> WaitForStatusAsync(HttpClient http, Guid document, string status)
    {
        var last = default(JsonElement);
        await Eventually.TrueAsync(async () =>
        {
            last = await http.GetFromJsonAsync<JsonElement>($"/api/v1/ingestion/documents/{document}", Cancellation);
            return last.GetProperty("status").GetString() == status;
        }, $"the document to be {status}", TimeSpan.FromSeconds(30));
        return last;
    }

    private async Task<INatsJSMsg<byte[]>> ReadDeadLetterAsync(Guid document)
    {
        await using var nats = new NatsConnection(NatsClientExtensions.ToOptions(platform.App.GetConnectionString("nats"), "test"));
        var jetStream = new NatsJSContext(nats);
        var consumer = await jetStream.CreateOrUpdateConsumerAsync(EventStreams.DeadLetter.Name, new ConsumerConfig($"test-dead-documents-{document:N}")
        {
            FilterSubject = EventStreams.DeadLetterSubject("ingestion.document.process"),
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromMinutes(1),
        }, Cancellation);
        await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1000 }, cancellationToken: Cancellation))
        {
            if (Encoding.UTF8.GetString(message.Data!).Contains(document.ToString(), StringComparison.Ordinal))
            {
                return message;
            }
        }
        throw new InvalidOperationException("The document's job is not on the dead-letter subject.");
    }

    private HttpClient TenantHttp(string key)
    {
        var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
