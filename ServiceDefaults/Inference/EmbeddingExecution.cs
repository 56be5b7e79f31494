namespace Microsoft.Extensions.Hosting;

public sealed record EmbeddingExecutionRequest(string Provider, string Model, IList<string> Inputs, int? Dimensions);

public sealed record EmbeddingExecutionResponse(IList<float[]> Vectors, long InputTokens);
