using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Services;

namespace Orchestrator.UnitTests;

/// <summary>The providers of a route test: a fake client per <c>provider/model</c>; any other model does not exist.</summary>
public sealed class FakeProviders : ProviderClients
{
    private static readonly ModelCatalog Catalog = new(Options.Create(new Dictionary<string, ProviderOptions>()));

    public FakeProviders()
        : base(Catalog, new LocalChatClient(Catalog, new TokenCounter()), new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions())), NullLoggerFactory.Instance, new ServiceCollection().BuildServiceProvider())
    {
    }

    public Dictionary<string, FakeChatClient> Clients { get; } = [];

    public override IChatClient? Chat(string provider, string model) => Clients.GetValueOrDefault($"{provider}/{model}");
}
