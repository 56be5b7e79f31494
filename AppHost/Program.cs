using AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres");
var gatewayDb = postgres.AddDatabase("gatewaydb");
var routerDb = postgres.AddDatabase("routerdb");
var ingestionDb = postgres.AddDatabase("ingestiondb");
var analyticsDb = postgres.AddDatabase("analyticsdb");
var billingDb = postgres.AddDatabase("billingdb");
var redis = builder.AddRedis("redis");
var nats = builder.AddNats("nats").WithJetStream();

// Optional, used only when configured: ConnectionStrings__qdrant, ExternalServices__vllm.
var qdrant = builder.AddConnectionStringIfConfigured("qdrant", healthPath: "/healthz");
var vllm = builder.AddExternalServiceIfConfigured("vllm", healthPath: "/health");

// Generated once into .data/ unless configured as Parameters__<name>.
var internalTokenKey = builder.AddParameter("internal-token-key", secret: true);
var adminKey = builder.AddParameter("admin-key", secret: true, generate: () => $"sk-admin-{SecretStore.NewPassword()}", file: "admin-key");
var demoKey = builder.AddParameter("demo-key", secret: true, generate: SecretStore.NewApiKey, file: "demo-key", announce: true);

var router = builder.AddProject<Projects.Router>("router", port: 8002)
    .WithReference(routerDb).WithReference(redis).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(routerDb).WaitFor(redis).WaitFor(nats);

var ingestion = builder.AddProject<Projects.Ingestion>("ingestion", port: 8006)
    .WithReference(ingestionDb).WithReference(redis).WithReference(nats).WithReference(qdrant)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(ingestionDb).WaitFor(redis).WaitFor(nats);

var orchestrator = builder.AddProject<Projects.Orchestrator>("orchestrator", port: 8003)
    .WithReference(redis).WithReference(nats).WithReference(router).WithReference(ingestion).WithReference(vllm)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(redis).WaitFor(nats);

// The Router reads circuit states from the Orchestrator it routes for; Ingestion embeds with provider models through it.
router.WithReference(orchestrator);
ingestion.WithReference(orchestrator);

var analytics = builder.AddProject<Projects.Analytics>("analytics", port: 8004)
    .WithReference(analyticsDb).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(analyticsDb).WaitFor(nats);

var billing = builder.AddProject<Projects.Billing>("billing", port: 8005)
    .WithReference(billingDb).WithReference(redis).WithReference(nats)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(billingDb).WaitFor(redis).WaitFor(nats);

var realtime = builder.AddProject<Projects.Realtime>("realtime", port: 8001)
    .WithReference(redis).WithReference(nats).WithReference(orchestrator)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WaitFor(redis).WaitFor(nats);

var gateway = builder.AddProject<Projects.Gateway>("gateway", port: 8000)
    .WithReference(gatewayDb).WithReference(redis).WithReference(nats)
    .WithReference(router).WithReference(orchestrator).WithReference(ingestion).WithReference(analytics).WithReference(billing).WithReference(realtime)
    .WithEnvironment("InternalTokens__SigningKey", internalTokenKey)
    .WithEnvironment("Gateway__AdminKey", adminKey)
    .WithEnvironment("Gateway__DemoKey", demoKey)
    .WaitFor(gatewayDb).WaitFor(redis).WaitFor(nats);

builder.AddProject<Projects.Web>("web", port: 5173)
    .WithReference(gateway)
    .WaitFor(gateway);

builder.Build().Run();
