using System.Text.Json;

namespace Platform.Contracts;

public sealed record ToolDefinition(string Name, string? Description, JsonElement Parameters);
