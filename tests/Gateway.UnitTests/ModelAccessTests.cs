using Microsoft.AspNetCore.Http;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class ModelAccessTests
{
    private readonly ModelCatalog _catalog = Catalog(("openai", ChatModel("gpt-4o")), ("openai", Embedding("text-embedding-3-small")), ("groq", ChatModel("llama-3")), ("together", ChatModel("llama-3")));

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "openai/gpt-4o" }, true)]
    [InlineData(new[] { "gpt-4o" }, true)]
    [InlineData(new[] { "groq/llama-3", "other/gpt-4o" }, false)]
    [InlineData(new[] { "OpenAI/GPT-4o" }, false)]
    public void Allows_AllowList_MatchesQualifiedOrBareIdExactly(string[] allowed, bool allows)
    {
        var model = _catalog.Find("openai/gpt-4o").Model!;

        ModelAccess.Allows(Key(allowedModels: allowed), model).ShouldBe(allows);
    }

    [Theory]
    [InlineData("openai/gpt-4o")]
    [InlineData("gpt-4o")]
    public void Resolve_ExistingAllowedChatModel_ReturnsIt(string requested)
    {
        var (model, error) = ModelAccess.Resolve(_catalog, Key(), requested, embedding: false);

        error.ShouldBeNull();
        model.ShouldNotBeNull().QualifiedId.ShouldBe("openai/gpt-4o");
    }

    [Fact]
    public void Resolve_UnknownModel_Is404ModelNotFound()
    {
        var (model, error) = ModelAccess.Resolve(_catalog, Key(), "gpt-5", embedding: false);

        model.ShouldBeNull();
        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status404NotFound);
        openAi.Code.ShouldBe("model_not_found");
        openAi.Param.ShouldBe("model");
        openAi.Type.ShouldBe(OpenAiErrors.InvalidRequest);
    }

    [Fact]
    public void Resolve_BareIdOfSeveralProviders_Is400NamingThem()
    {
        var (_, error) = ModelAccess.Resolve(_catalog, Key(), "llama-3", embedding: false);

        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest);
        openAi.Code.ShouldBe("model_ambiguous");
        openAi.Message.ShouldContain("groq/llama-3");
        openAi.Message.ShouldContain("together/llama-3");
    }

    [Fact]
    public void Resolve_ModelOutsideTheKeysAllowList_Is403()
    {
        var (model, error) = ModelAccess.Resolve(_catalog, Key(allowedModels: ["groq/llama-3"]), "openai/gpt-4o", embedding: false, param: "fallbacks[0]");

        model.ShouldBeNull();
        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status403Forbidden);
        openAi.Code.ShouldBe("model_not_allowed");
        openAi.Param.ShouldBe("fallbacks[0]");
    }

    [Theory]
    [InlineData("openai/gpt-4o", true)]
    [InlineData("openai/text-embedding-3-small", false)]
    public void Resolve_WrongKindOfModel_Is400ModelNotSupported(string requested, bool embedding)
    {
        var (model, error) = ModelAccess.Resolve(_catalog, Key(), requested, embedding);

        model.ShouldBeNull();
        error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest).Code.ShouldBe("model_not_supported");
    }

    [Fact]
    public void Resolve_EmbeddingModelForEmbeddings_ReturnsIt()
    {
        ModelAccess.Resolve(_catalog, Key(), "text-embedding-3-small", embedding: true).Model.ShouldNotBeNull().IsEmbedding.ShouldBeTrue();
    }
}
