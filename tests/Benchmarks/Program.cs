using BenchmarkDotNet.Running;
using Benchmarks;

// `load`: whole requests through the running platform. Anything else goes to BenchmarkDotNet (hot-path code).
if (args is ["load", ..])
{
    await LoadRunner.RunAsync(args[1..]);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(GatewayHotPathBenchmarks).Assembly).Run(args);
}
