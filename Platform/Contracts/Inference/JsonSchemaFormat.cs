using System.Text.Json;

namespace Platform.Contracts;

public sealed record JsonSchemaFormat(string? Name, string? Description, JsonElement Schema, bool? Strict);
