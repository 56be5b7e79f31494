namespace Platform.Contracts;

public sealed record EmbeddingExecutionRequest(string Provider, string Model, IList<string> Inputs, int? Dimensions);
