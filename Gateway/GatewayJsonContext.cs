using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Model;
using Gateway.Services;

namespace Gateway;

// Source-generated serialisation for what the hot path keeps in Redis and broadcasts.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TenantKey))]
[JsonSerializable(typeof(KeyInvalidation))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
