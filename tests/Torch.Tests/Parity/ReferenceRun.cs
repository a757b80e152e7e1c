using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Parity;

/// <summary>What PyTorch computed for one case: forward outputs, input gradients (null where None), or its error.</summary>
internal sealed record ReferenceResult(Tensor?[] Outputs, Tensor?[] Gradients, string? Error);

/// <summary>
/// Runs reference/parity.py once per test process: C# makes every case's inputs and writes them to a tensor
/// file, PyTorch reads the very same values, computes each case forward and backward, and writes results back.
/// </summary>
internal sealed class ReferenceRun
{
    static readonly Lazy<ReferenceRun> instance = new(() => new ReferenceRun());
    internal static ReferenceRun Instance => instance.Value;

    /// <summary>The seed reference/parity.py uses for its own randn draw (checks the shared-generator claim).</summary>
    internal const long RngSeed = 20240607;

    internal IReadOnlyDictionary<string, Tensor[]> Inputs { get; }
    internal IReadOnlyDictionary<string, ReferenceResult> Results { get; }
    /// <summary>Case names defined in parity.py.</summary>
    internal IReadOnlySet<string> PythonCases { get; }
    /// <summary>torch.manual_seed(RngSeed); torch.randn(6) as computed in Python.</summary>
    internal Tensor PythonRandn { get; }

    ReferenceRun()
    {
        var dir = Directory.CreateTempSubdirectory("archnb-parity-");
        try
        {
            var inputs = new Dictionary<string, Tensor[]>();
            foreach (var (name, c) in ParityCases.All)
            {
                manual_seed(StableSeed(name));
                inputs[name] = c.Inputs().Select(t => t.DetachFromDisposeScope()).ToArray();
            }
            Inputs = inputs;
            var inPath = Path.Combine(dir.FullName, "inputs.atf");
            var outPath = Path.Combine(dir.FullName, "expected.atf");
            TensorFile.Write(inPath, inputs.Select(kv => new TensorRecord(kv.Key, "", kv.Value)));
            Reference.Parity("run", inPath, outPath);

            var results = new Dictionary<string, ReferenceResult>();
            var outputs = new Dictionary<string, Tensor?[]>();
            var grads = new Dictionary<string, Tensor?[]>();
            var errors = new Dictionary<string, string>();
            HashSet<string>? pythonCases = null;
            Tensor? randn = null;
            foreach (var r in TensorFile.Read(outPath))
            {
                if (r.Name == "__cases__") pythonCases = r.Note.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                else if (r.Name == "__randn__") randn = r.Tensors[0];
                else if (r.Name.EndsWith(":out", StringComparison.Ordinal)) outputs[r.Name[..^4]] = r.Tensors;
                else if (r.Name.EndsWith(":grad", StringComparison.Ordinal)) grads[r.Name[..^5]] = r.Tensors;
                else if (r.Name.EndsWith(":error", StringComparison.Ordinal)) errors[r.Name[..^6]] = r.Note;
            }
            PythonCases = pythonCases ?? throw new InvalidDataException("parity.py wrote no __cases__ record");
            PythonRandn = randn ?? throw new InvalidDataException("parity.py wrote no __randn__ record");
            foreach (var name in outputs.Keys.Concat(errors.Keys).Distinct())
                results[name] = new ReferenceResult(outputs.GetValueOrDefault(name) ?? Array.Empty<Tensor?>(),
                    grads.GetValueOrDefault(name) ?? Array.Empty<Tensor?>(), errors.GetValueOrDefault(name));
            Results = results;
        }
        finally
        {
            // ARCHNB_PARITY_KEEP=1 keeps the files for running parity.py by hand.
            if (Environment.GetEnvironmentVariable("ARCHNB_PARITY_KEEP") != "1") dir.Delete(recursive: true);
            else Console.Error.WriteLine($"parity files kept in {dir.FullName}");
        }
    }

    /// <summary>A seed from the case name that does not change between runs (string.GetHashCode does).</summary>
    internal static long StableSeed(string name)
    {
        ulong h = 14695981039346656037;
        foreach (var ch in name) h = (h ^ ch) * 1099511628211;
        return (long)(h % 1_000_000_007);
    }
}
