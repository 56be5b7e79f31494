using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateway.Keys;
using Gateway.OpenAi;
using Gateway.Usage;
using Microsoft.Extensions.AI;

namespace Benchmarks;

/// <summary>The Gateway's per-request code paths: reading a request, hashing a key, writing a completion.</summary>
[MemoryDiagnoser]
public class GatewayHotPathBenchmarks
{
    private static readonly byte[] Body = """
        {"model":"mock/mock-1","temperature":0.2,"max_tokens":256,"messages":[
          {"role":"system","content":"You are a helpful assistant."},
          {"role":"user","content":"What is the capital of France, and why is it famous? Answer in two sentences."}]}
        """u8.ToArray();

    private static readonly ChatResponse Response = new(new ChatMessage(ChatRole.Assistant, "Paris. It is famous for its art, food and the Eiffel Tower."))
    {
        ResponseId = "chatcmpl-bench",
        FinishReason = ChatFinishReason.Stop,
        Usage = new UsageDetails { InputTokenCount = 42, OutputTokenCount = 15, TotalTokenCount = 57 },
    };

    private readonly ArrayBufferWriter<byte> _output = new(4096);

    [Benchmark]
    public ChatCompletionRequest ReadChatRequest()
    {
        using var document = JsonDocument.Parse(Body);
        return ChatCompletionReader.Read(document.RootElement);
    }

    [Benchmark]
    public string HashApiKey() => ApiKeySecret.Hash("sk-aip-3q2-7wTnQyC0pU4r9YbNxE8aVdKlMfHsJgRtZuWiOo1");

    [Benchmark]
    public int WriteCompletion()
    {
        _output.ResetWrittenCount();
        using var json = new Utf8JsonWriter(_output);
        ChatCompletionWriter.WriteCompletion(json, Response, "mock/mock-1", new UsageRecord());
        json.Flush();
        return _output.WrittenCount;
    }
}
