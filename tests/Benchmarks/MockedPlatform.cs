using Platform.Catalog;
using Platform.Testing;
using Platform.Testing.Mocks;

namespace Benchmarks;

/// <summary>
/// The platform as the AppHost runs it (Production environment, throwaway data), with one provider: the mock, whose
/// model <c>mock/mock-1</c> answers at once, so what is measured is the platform.
/// </summary>
public sealed class MockedPlatform : IAsyncDisposable
{
    private MockedPlatform(MockOpenAiServer mock, TestPlatform platform) => (Mock, Platform) = (mock, platform);

    public MockOpenAiServer Mock { get; }

    public TestPlatform Platform { get; }

    /// <summary>Starts the mock and the platform; <paramref name="configure"/> adds to the settings (replicas, more mock models).</summary>
    public static async Task<MockedPlatform> StartAsync(Action<PlatformSettings>? configure = null)
    {
        var mock = await MockOpenAiServer.StartAsync();
        var settings = new PlatformSettings { ServiceEnvironment = "Production" };
        settings.Providers["mock"] = new ProviderOptions { Kind = ProviderKinds.OpenAi, BaseUrl = mock.BaseUrl, ApiKey = "sk-mock", Models = [new() { Id = "mock-1" }] };
        configure?.Invoke(settings);
        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        return new MockedPlatform(mock, await TestPlatform.StartAsync(settings));
    }

    public async ValueTask DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Mock.DisposeAsync();
    }
}
