using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Model;

namespace Gateway;

// Source-generated serialisation for what the Gateway keeps in Redis and broadcasts.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TenantKey))]
[JsonSerializable(typeof(KeyInvalidation))]
[JsonSerializable(typeof(RecentError))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
