using System.ClientModel.Primitives;

namespace Orchestrator.UnitTests;

/// <summary>An HTTP response as the OpenAI SDK reports it in a <see cref="System.ClientModel.ClientResultException"/>.</summary>
public sealed class FakeResponse(int status, Dictionary<string, string>? headers = null) : PipelineResponse
{
    public override int Status => status;

    public override string ReasonPhrase => "";

    public override Stream? ContentStream { get; set; }

    public override BinaryData Content => BinaryData.Empty;

    protected override PipelineResponseHeaders HeadersCore { get; } = new ResponseHeaders(headers ?? []);

    public override BinaryData BufferContent(CancellationToken cancellationToken = default) => BinaryData.Empty;

    public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(BinaryData.Empty);

    public override void Dispose()
    {
    }

    private sealed class ResponseHeaders(Dictionary<string, string> values) : PipelineResponseHeaders
    {
        public override bool TryGetValue(string name, out string? value) => values.TryGetValue(name, out value);

        public override bool TryGetValues(string name, out IEnumerable<string>? all)
        {
            all = values.TryGetValue(name, out var value) ? [value] : null;
            return all is not null;
        }

        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() => values.GetEnumerator();
    }
}
