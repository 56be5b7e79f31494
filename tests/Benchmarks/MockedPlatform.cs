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

    public static async Task<MockedPlatform> StartAsync()
    {
        var mock = await MockOpenAiServer.StartAsync();
        var settings = new PlatformSettings { ServiceEnvironment = "Production" };
        settings.Providers["mock"] = new ProviderOptions { Kind = ProviderKinds.OpenAi, BaseUrl = mock.BaseUrl, ApiKey = "sk-mock", Models = [new() { Id = "mock-1" }] };
        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        return new MockedPlatform(mock, await TestPlatform.StartAsync(settings));
    }

    public async ValueTask DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Mock.DisposeAsync();
    }
}
