// ./archnb bench attention: sparse attention computed on its kept blocks (SparseAttention) against the same
// pattern as a -inf mask over full attention (what MultiHeadAttention did before), forward + backward of the
// attention core on q, k, v (B 1, 4 heads, head dim 64, float32, CPU). Each figure runs in a fresh child
// process, so its peak memory (the rise of VmHWM over the resident size once the inputs exist, with the
// high-water mark reset through /proc/self/clear_refs) is not hidden by memory an earlier figure left in
// malloc's free lists. Time is the best of several repeats after the measured first one.
using System.Diagnostics;
using System.Globalization;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
const int Heads = 4;
const long HeadDim = 64, Window = 64;

if (args.Length == 5 && args[0] == "--one")
{
    var (ms, bytes) = One(Enum.Parse<AttentionPattern>(args[1]), args[2] == "sparse", long.Parse(args[3], CultureInfo.InvariantCulture),
        int.Parse(args[4], CultureInfo.InvariantCulture));
    Console.WriteLine($"{ms.ToString("R", CultureInfo.InvariantCulture)} {bytes}");
    return 0;
}

long[] lengths = { 1024, 4096, 16384 };
double limitGiB = 4;
int threads = 1;
for (int i = 0; i + 1 < args.Length; i += 2)
    switch (args[i])
    {
        case "--lengths": lengths = args[i + 1].Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--limit-gib": limitGiB = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]} (known: --lengths N,M  --limit-gib G  --threads T)"); return 2;
    }

Console.WriteLine($"libtorch {__version__}, cpu, {threads} intra-op thread(s), {Environment.ProcessorCount} processors, " +
    $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; B 1, {Heads} heads, head dim {HeadDim}, float32, window/block {Window}; " +
    $"dense runs only where its estimated peak stays under {limitGiB} GiB");
foreach (var pattern in new[] { AttentionPattern.Local, AttentionPattern.BlockSparse })
{
    double? denseBytesPerScore = null;   // dense peak over B·H·L² from the largest length measured, to estimate the rest
    foreach (var length in lengths)
    {
        var layout = new SparseAttentionLayout(pattern, Window, causal: false, length);
        var sparse = Child(pattern, "sparse", length, threads);
        double scores = (double)Heads * length * length;
        string label = $"{pattern}({Window}) L={length,5} fwd+bwd";
        string sparseText = $"sparse {sparse.ms,9:F2} ms {Mib(sparse.bytes),8:F1} MiB ({layout.KeysPerQuery} keys/query)";
        double estimate = (denseBytesPerScore ?? 24) * scores;   // 24 bytes a score: six float32 L² tensors, until measured
        if (estimate > limitGiB * (1L << 30))
        {
            Console.WriteLine($"{label}: {sparseText}; dense not run: would need about {estimate / (1L << 30):F1} GiB; ratio n/a");
            continue;
        }
        var dense = Child(pattern, "dense", length, threads);
        denseBytesPerScore = dense.bytes / scores;
        Console.WriteLine($"{label}: {sparseText}; dense {dense.ms,9:F2} ms {Mib(dense.bytes),8:F1} MiB; " +
            $"ratio (dense/sparse) time {dense.ms / sparse.ms:F1}x, memory {(double)dense.bytes / sparse.bytes:F1}x");
    }
}
return 0;

static double Mib(long bytes) => bytes / (1024.0 * 1024);

static (double ms, long bytes) Child(AttentionPattern pattern, string mode, long length, int threads)
{
    // Run as `dotnet Attention.Bench.dll` (the host is dotnet, the first argument the assembly) or as the apphost.
    var host = Environment.ProcessPath!;
    var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
    foreach (var a in new[] { "--one", pattern.ToString(), mode, length.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
        psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    var output = p.StandardOutput.ReadToEnd().Trim();
    p.WaitForExit();
    var parts = output.Split(' ');
    if (p.ExitCode != 0 || parts.Length != 2)
        throw new InvalidOperationException($"{pattern} {mode} L={length} failed (exit {p.ExitCode}): {output} {err.Result.Trim()}");
    return (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
}

// One figure: peak memory of the first forward+backward, then the best time of the repeats.
static (double ms, long bytes) One(AttentionPattern pattern, bool sparse, long length, int threads)
{
    set_num_threads(threads);
    manual_seed(0);
    using (var warm = randn(256, 256)) warm.matmul(warm).Dispose();   // BLAS buffers and libtorch's lazy set-up, outside the figure
    Tensor Input() => randn(new long[] { 1, Heads, length, HeadDim }).requires_grad_();
    var (q, k, v) = (Input(), Input(), Input());
    var g = randn(1, Heads, length, HeadDim);
    var layout = new SparseAttentionLayout(pattern, Window, causal: false, length);
    _ = layout.Keep;   // the layout is built once per length by the layer too
    using var bias = sparse ? null : Positions.AttentionBias(length, length, Heads, false, pattern, Window, alibi: false);   // cached by the layer (max_len)

    void Step()
    {
        using var scope = NewDisposeScope();
        var output = sparse ? SparseAttention.Attend(q, k, v, layout).output : F.scaled_dot_product_attention(q, k, v, bias).output;
        (output * g).sum().backward();
        foreach (var t in new[] { q, k, v }) t.grad!.zero_();
    }

    File.WriteAllText("/proc/self/clear_refs", "5");
    long before = Status("VmRSS");
    var clock = Stopwatch.StartNew();
    Step();
    double best = clock.Elapsed.TotalMilliseconds;
    long peak = Status("VmHWM") - before;
    int repeats = length >= 16384 ? 2 : length >= 4096 ? 4 : 10;
    for (int i = 0; i < repeats; i++)
    {
        clock.Restart();
        Step();
        best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
    }
    return (best, peak);
}

static long Status(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    throw new InvalidOperationException($"/proc/self/status has no {field}");
}
