using Microsoft.Extensions.AI;

namespace Platform.Contracts;

/// <summary>The OpenAI request options the platform passes through, in a form that crosses the wire plainly.</summary>
public sealed record ChatExecutionOptions
{
    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public float? FrequencyPenalty { get; init; }

    public float? PresencePenalty { get; init; }

    public int? MaxOutputTokens { get; init; }

    public long? Seed { get; init; }

    public IList<string>? StopSequences { get; init; }

    /// <summary><c>text</c>, <c>json_object</c> or <c>json_schema</c>; null for the provider's default.</summary>
    public string? ResponseFormat { get; init; }

    public JsonSchemaFormat? JsonSchema { get; init; }

    public IList<ToolDefinition>? Tools { get; init; }

    /// <summary><c>auto</c>, <c>none</c>, <c>required</c>, or the name of the one function to call.</summary>
    public string? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    public string? User { get; init; }

    public ChatOptions ToChatOptions(string modelId)
    {
        var options = new ChatOptions
        {
            ModelId = modelId,
            Temperature = Temperature,
            TopP = TopP,
            FrequencyPenalty = FrequencyPenalty,
            PresencePenalty = PresencePenalty,
            MaxOutputTokens = MaxOutputTokens,
            Seed = Seed,
            StopSequences = StopSequences,
            AllowMultipleToolCalls = ParallelToolCalls,
            ResponseFormat = ResponseFormat switch
            {
                "text" => ChatResponseFormat.Text,
                "json_object" => ChatResponseFormat.Json,
                "json_schema" when JsonSchema is { } schema => ChatResponseFormat.ForJsonSchema(schema.Schema, schema.Name, schema.Description),
                _ => null,
            },
            ToolMode = ToolChoice switch
            {
                null => null,
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                var name => ChatToolMode.RequireSpecific(name),
            },
            // Declarations only: the tenant's application runs its tools; the calls are passed back to it.
            Tools = Tools?.Select(tool => (AITool)AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.Parameters)).ToList(),
        };
        if (User is not null)
        {
            (options.AdditionalProperties ??= [])["user"] = User;
        }
        return options;
    }
}
