using BenchmarkDotNet.Running;
using Benchmarks;

// `compare`: the regression guard against baseline.json; `idle`: the platform at rest;
// `load`: whole requests through the running platform; `evaluate`: the Router against a simulated fleet;
// `usage-throughput`: how fast usage events are consumed; `knowledge`: documents indexed and searched;
// `retrieval`: recall@5 and MRR of vector, full-text and hybrid search on labelled questions;
// `semantic-cache`: the Gateway's semantic cache looked up at 10k and 100k entries; `semantic-eval`: its decisions on labelled pairs;
// `agents`: agent runs per second and each step's overhead beyond its model and tool calls;
// `realtime`: /ws/chat sockets at scale: memory per idle socket, delivery delay while many stream.
// `pii-eval`: the PII scanner's precision and recall per entity on labelled texts, and a 2 KB prompt's scan time.
// Anything else goes to BenchmarkDotNet (hot-path code).
if (args is ["compare", ..])
{
    return await Compare.RunAsync(args[1..]);
}
if (args is ["idle", ..])
{
    await Rest.RunAsync(args[1..]);
}
else if (args is ["load", ..])
{
    await LoadRunner.RunAsync(args[1..]);
}
else if (args is ["evaluate", ..])
{
    await RoutingEvaluation.RunAsync(args[1..]);
}
else if (args is ["knowledge", ..])
{
    await KnowledgeBenchmark.RunAsync();
}
else if (args is ["retrieval", ..])
{
    await RetrievalEvaluation.RunAsync();
}
else if (args is ["semantic-eval", ..])
{
    await SemanticCacheEvaluation.RunAsync(args[1..]);
}
else if (args is ["semantic-cache", ..])
{
    await SemanticCacheBenchmark.RunAsync();
}
else if (args is ["agents", ..])
{
    await AgentBenchmark.RunAsync(args[1..]);
}
else if (args is ["realtime", ..])
{
    await RealtimeBenchmark.RunAsync(args[1..]);
}
else if (args is ["pii-eval", ..])
{
    PiiEvaluation.Run(args[1..]);
}
else if (args is ["usage-throughput", ..])
{
    await UsageThroughput.RunAsync(args[1..]);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(GatewayHotPathBenchmarks).Assembly).Run(args);
}
return 0;
