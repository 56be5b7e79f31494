using AppHost;
using AppHost.LocalServers;

var builder = DistributedApplication.CreateBuilder(args);
var data = builder.AddDataFolder();

var postgres = builder.AddPostgres("postgres", data);
var gatewayDb = postgres.AddDatabase("gatewaydb");
var routerDb = postgres.AddDatabase("routerdb");
var ingestionDb = postgres.AddDatabase("ingestiondb");
var analyticsDb = postgres.AddDatabase("analyticsdb");
var billingDb = postgres.AddDatabase("billingdb");
var orchestratorDb = postgres.AddDatabase("orchestratordb");
var redis = builder.AddRedis("redis", data);
var nats = builder.AddNats("nats", data);

// Optional, used only when configured: ConnectionStrings__qdrant, ExternalServices__vllm.
var qdrant = builder.AddQdrantIfConfigured("qdrant");
var vllm = builder.AddExternalServiceIfConfigured("vllm", healthPath: "/health");

// Generated once into .data/ unless configured as Parameters__<name>.
var internalTokenKey = builder.AddParameter("internal-token-key", data.Secret("secrets/internal-token-key", Secrets.NewKey), secret: true);
var adminKey = builder.AddParameter("admin-key", data.Secret("admin-key", Secrets.NewAdminKey), secret: true);
var demoKey = builder.AddParameter("demo-key", data.Secret("demo-key", Secrets.NewApiKey), secret: true);

var router = builder.AddService<Projects.Router>("router")
    .WithDatabase(routerDb).WithReference(redis).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(routerDb).WaitFor(redis).WaitFor(nats);

var ingestion = builder.AddService<Projects.Ingestion>("ingestion")
    .WithDatabase(ingestionDb).WithReference(redis).WithReference(nats).WithOptionalReference(qdrant)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(ingestionDb).WaitFor(redis).WaitFor(nats);

var orchestrator = builder.AddService<Projects.Orchestrator>("orchestrator")
    .WithDatabase(orchestratorDb).WithReference(redis).WithReference(nats).WithReference(router).WithReference(ingestion).WithOptionalReference(vllm)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(orchestratorDb).WaitFor(redis).WaitFor(nats);

// The Router reads circuit states from the Orchestrator it routes for; Ingestion embeds with provider models through it.
router.WithReference(orchestrator);
ingestion.WithReference(orchestrator);

var analytics = builder.AddService<Projects.Analytics>("analytics")
    .WithDatabase(analyticsDb).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(analyticsDb).WaitFor(nats);

var billing = builder.AddService<Projects.Billing>("billing")
    .WithDatabase(billingDb).WithReference(redis).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(billingDb).WaitFor(redis).WaitFor(nats);

var realtime = builder.AddService<Projects.Realtime>("realtime")
    .WithReference(redis).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(redis).WaitFor(nats);

var gateway = builder.AddService<Projects.Gateway>("gateway")
    .WithDatabase(gatewayDb).WithReference(redis).WithReference(nats)
    .WithReference(router).WithReference(orchestrator).WithReference(ingestion).WithReference(analytics).WithReference(billing).WithReference(realtime)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WithEnvironment("Gateway__AdminKey", adminKey)
    .WithEnvironment("Gateway__DemoKey", demoKey)
    .WaitFor(gatewayDb).WaitFor(redis).WaitFor(nats);

// An agent's model calls, and a WebSocket session's, go through the Gateway's own pipeline, as the key that started them.
orchestrator.WithReference(gateway);
realtime.WithReference(gateway);

// The portal calls the Gateway per request, so it starts beside it rather than after it.
builder.AddService<Projects.Web>("web")
    .WithReference(gateway);

builder.AddConsoleReport();

builder.Build().Run();
