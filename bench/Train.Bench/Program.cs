// ./archnb bench train: training-step throughput of a tiny GPT (pre-norm, attention written out,
// tied embeddings, AdamW) in this library against the same model in PyTorch eager on the same
// machine in one run (PyTorch before and after ours, its better figure kept). Throughput is tokens over
// the 20th-percentile step time after a warm-up, which filters out other processes' interference.
using System.Diagnostics;
using System.Globalization;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
const long Vocab = 64;
var sizes = new (string name, long dim, int layers, int heads, long seq, long batch, int steps)[]
{
    ("overhead-bound", 64, 2, 4, 32, 8, 60),
    ("compute-bound", 128, 2, 4, 64, 32, 25),
};
var (threadCounts, others) = PyTorchBaseline.ParseThreads(args);
int runs = others.Count >= 2 && others[0] == "--runs" ? int.Parse(others[1], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"libtorch {__version__}, cpu, {Environment.ProcessorCount} usable processors; BLAS: {blas_info.Threading} OpenBLAS; " +
    $"{runs} runs per side and thread count, interleaved (PyTorch, ours, PyTorch, ...)");

var specs = sizes.Select(s => $"{s.dim},{s.layers},{s.heads},{s.seq},{s.batch},{s.steps}").ToArray();
var script = Path.Combine(AppContext.BaseDirectory, "train_baseline.py");
var medianAtOne = new Dictionary<string, double>();
foreach (var threads in threadCounts)
{
    set_num_threads(threads);
    var ours = sizes.Select(_ => new List<double>()).ToArray();
    var theirs = sizes.Select(_ => new List<double>()).ToArray();
    string describe = "";
    for (int run = 0; run < runs; run++)
    {
        var baseline = PyTorchBaseline.Run(script, specs, threads);
        describe = PyTorchBaseline.Describe(baseline);
        for (int i = 0; i < sizes.Length; i++)
        {
            if (baseline.TryGetValue(specs[i], out var t)) theirs[i].Add(t);
            var s = sizes[i];
            int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
            long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            var (tokensPerSecond, faultsPerStep) = Measure(s.dim, s.layers, s.heads, s.seq, s.batch, s.steps);
            ours[i].Add(tokensPerSecond);
            // What each run did besides computing, to find where a slow run's time went.
            Console.WriteLine($"  run {run + 1}, {s.name}: ours {tokensPerSecond:F0} tokens/s, {faultsPerStep:F0} page faults/step, " +
                $"{GC.CollectionCount(0) - gen0} gen0 and {GC.CollectionCount(2) - gen2} gen2 collections, {System.Runtime.JitInfo.GetCompiledMethodCount() - jitted} methods compiled; " +
                $"PyTorch {baseline.GetValueOrDefault(specs[i], double.NaN):F0} tokens/s, {baseline.GetValueOrDefault("faults:" + specs[i], double.NaN):F0} page faults/step");
        }
    }
    Console.WriteLine($"\n{threads} intra-op thread(s) — ArchNotebooks: {get_num_threads()} threads; {describe}");
    for (int i = 0; i < sizes.Length; i++)
    {
        var s = sizes[i];
        var o = PyTorchBaseline.Spread(ours[i]);
        Console.WriteLine($"  tiny GPT train step, {s.name} (d_model {s.dim}, {s.layers} layers, {s.heads} heads, seq {s.seq}, batch {s.batch}), tokens/s min/median/max:");
        Console.WriteLine($"    ArchNotebooks {o.Min:F0} / {o.Median:F0} / {o.Max:F0} (min is {o.Min / o.Median:P0} of median)" +
            (threads == 1 ? "" : medianAtOne.TryGetValue(s.name, out var one)
                ? $"; {o.Median / one:F2}x the tokens/s of 1 thread{(o.Median < one * 0.95 ? "  <- slower than one thread" : "")}" : ""));
        if (threads == 1) medianAtOne[s.name] = o.Median;
        if (theirs[i].Count == 0) { Console.WriteLine("    PyTorch eager n/a, ratio n/a"); continue; }
        var t = PyTorchBaseline.Spread(theirs[i]);
        Console.WriteLine($"    PyTorch eager {t.Min:F0} / {t.Median:F0} / {t.Max:F0} (min is {t.Min / t.Median:P0} of median)");
        Console.WriteLine($"    ratio of medians {o.Median / t.Median:F2}x");
    }
}

// The mixture-of-experts layer, each way of running the experts, same weights, this process only: the
// family's size (overhead-bound) and a compute-bound one.
Console.WriteLine();
foreach (var threads in threadCounts)
foreach (var (tokens, dim, hidden, experts, topK) in new[] { (256L, 64L, 256L, 4, 1), (2048L, 128L, 256L, 8, 2) })
{
    set_num_threads(threads);
    manual_seed(0);
    using var layer = new MixtureOfExpertsLayer(dim, hidden, experts, topK);
    using var x = randn(tokens, dim);
    double Time(ExpertDispatch dispatch)
    {
        layer.Dispatch = dispatch;
        var times = new List<double>();
        for (int i = 0; i < 23; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope()) layer.call(x).sum().backward();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times.Skip(3).Order().ElementAt(4);  // 20th percentile of 20 after warm-up
    }
    var ms = Enum.GetValues<ExpertDispatch>().ToDictionary(d => d, Time);
    Console.WriteLine($"MoE layer forward+backward ({tokens} tokens, d {dim}, {experts} experts of {hidden}, top-{topK}), {get_num_threads()} threads, ms: " +
        string.Join(", ", ms.Select(kv => $"{kv.Key.ToString().ToLowerInvariant()} {kv.Value:F2}")) +
        $"; loop / grouped {ms[ExpertDispatch.Loop] / ms[ExpertDispatch.Grouped]:F2}x, loop / padded {ms[ExpertDispatch.Loop] / ms[ExpertDispatch.Padded]:F2}x");
}

// Minor page faults of this process so far (field 10 of /proc/self/stat): pages it took fresh from the kernel.
static long MinorFaults()
{
    var stat = File.ReadAllText("/proc/self/stat");
    return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
}

static (double TokensPerSecond, double FaultsPerStep) Measure(long dim, int layers, int heads, long seq, long batch, int steps)
{
    manual_seed(0);
    var config = TransformerConfig.TinyGPT(Vocab, seq, layers, dim, heads);
    using var model = config.Build();
    var opt = optim.AdamW(model.parameters(), lr: 1e-3, weight_decay: 0.01);
    using var x = randint(Vocab, new[] { batch, seq });
    using var y = randint(Vocab, new[] { batch, seq });

    void Step()
    {
        using var scope = NewDisposeScope();
        var logits = model.call(x);
        var loss = F.cross_entropy(logits.reshape(-1, Vocab), y.reshape(-1));
        opt.zero_grad();
        loss.backward();
        opt.step();
    }

    for (int i = 0; i < 5; i++) Step();
    if (Environment.GetEnvironmentVariable("TRAIN_BENCH_BREAKDOWN") == "1") Breakdown();
    var times = new double[steps];
    var clock = new Stopwatch();
    long faults = MinorFaults();
    for (int i = 0; i < steps; i++)
    {
        clock.Restart();
        Step();
        times[i] = clock.Elapsed.TotalSeconds;
    }
    // The 20th percentile: other processes on a shared machine only ever slow a step down.
    double faultsPerStep = (MinorFaults() - faults) / (double)steps;
    Array.Sort(times);
    return (batch * seq / times[steps / 5], faultsPerStep);

    // Where a step's time goes: forward, loss, backward, optimizer (medians over 20 steps, ms).
    void Breakdown()
    {
        var parts = new List<double>[4] { new(), new(), new(), new() };
        var c = new Stopwatch();
        for (int i = 0; i < 20; i++)
        {
            using var scope = NewDisposeScope();
            c.Restart(); var logits = model.call(x); parts[0].Add(c.Elapsed.TotalMilliseconds);
            c.Restart(); var loss = F.cross_entropy(logits.reshape(-1, Vocab), y.reshape(-1)); parts[1].Add(c.Elapsed.TotalMilliseconds);
            c.Restart(); opt.zero_grad(); loss.backward(); parts[2].Add(c.Elapsed.TotalMilliseconds);
            c.Restart(); opt.step(); parts[3].Add(c.Elapsed.TotalMilliseconds);
        }
        var names = new[] { "forward", "loss", "backward", "AdamW step" };
        Console.WriteLine("  breakdown (ms): " + string.Join(", ", names.Select((n, i) => $"{n} {parts[i].Order().ElementAt(10):F2}")));
    }
}
