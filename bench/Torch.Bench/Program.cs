// ./archnb bench torch [cpu|cuda] [--threads N,M|all]: the binding against PyTorch eager on the same
// libtorch, in one run, at each thread count (default: 1 and all physical cores), both on the same BLAS.
// Each figure is the best of several timed repeats after a warm-up (the least disturbed by other
// work on a shared machine; PyTorch is measured the same way); every line ends with the ratio.
using System.Diagnostics;
using System.Globalization;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var (threadCounts, rest) = PyTorchBaseline.ParseThreads(args);
var device = rest.Count > 0 ? rest[0] : "cpu";
var dev = Device.Parse(device);
var blas = blas_info;
Console.WriteLine($"libtorch {torch.__version__}, device {dev}, CPU allocator: " +
    (cpu_allocator_cached ? "the binding's small-block cache (ARCHNB_CPU_ALLOCATOR=default for libtorch's own)" : "libtorch's default"));
Console.WriteLine($"BLAS: {blas.Threading} OpenBLAS ({blas.Decision}); thread default: {num_threads_default}");

var baselineScript = Path.Combine(AppContext.BaseDirectory, "torch_baseline.py");
var fastestAtOne = new Dictionary<string, double>();
foreach (var threads in threadCounts)
{
    set_num_threads(threads);
    var baseline = PyTorchBaseline.Run(baselineScript, [device], threads);
    var ours = new Dictionary<string, double>
    {
        ["add8x8_us"] = Bench.PerOpAdd(dev),
        ["matmul1024_ms"] = Bench.Matmul(dev),
        ["mlp_fwd_bwd_ms"] = Bench.Mlp(dev),
        ["attention_step_ms"] = Bench.Attention(dev),
    };
    Console.WriteLine($"\n{threads} intra-op thread(s) — ArchNotebooks: {get_num_threads()} threads, {blas.Threading} OpenBLAS; {PyTorchBaseline.Describe(baseline)}");
    Report("per-op overhead, 8x8 float32 add", "add8x8_us", "us/op");
    Report("matmul 1024x1024x1024 float32", "matmul1024_ms", "ms");
    Report("2-layer MLP forward+backward (batch 256, 512-1024-10)", "mlp_fwd_bwd_ms", "ms");
    Report("attention-shaped step forward+backward (B 16, H 4, T 64, D 32)", "attention_step_ms", "ms");

    void Report(string what, string key, string unit)
    {
        var o = ours[key];
        if (threads == 1) fastestAtOne[key] = o;
        if (baseline.TryGetValue(key, out var b))
            // cost ratio = our time / PyTorch's time: below 1 means faster than PyTorch eager.
            Console.WriteLine($"  {what}: ArchNotebooks {o:F3} {unit}, PyTorch eager {b:F3} {unit}, cost ratio {o / b:F2}x (speed ratio {b / o:F2})");
        else
            Console.WriteLine($"  {what}: ArchNotebooks {o:F3} {unit}, PyTorch eager n/a (baseline not run), ratio n/a");
        if (threads > 1 && fastestAtOne.TryGetValue(key, out var one))
            Console.WriteLine($"    vs 1 thread: {o / one:F2}x the time{(o > one * 1.05 ? "  <- slower than one thread" : "")}");
    }
}

static class Bench
{
    static double Best(List<double> xs) => xs.Min();

    static void Sync(Device d) { if (d.type == DeviceType.CUDA) cuda.synchronize(d.index < 0 ? 0 : d.index); }

    /// <summary>
    /// Times <paramref name="step"/> <paramref name="warmup"/> + <paramref name="reps"/> times, each in its own
    /// dispose scope and between device synchronisations, and returns the best time after the warm-up (ms).
    /// </summary>
    static double BestOf(Device d, int reps, int warmup, Action step)
    {
        var times = new List<double>();
        for (int rep = 0; rep < warmup + reps; rep++)
        {
            Sync(d);
            var sw = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                step();
                Sync(d);
            }
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return Best(times.Skip(warmup).ToList());
    }

    public static double PerOpAdd(Device d)
    {
        using var scope = NewDisposeScope();
        var a = randn(new long[] { 8, 8 }, device: d);
        var b = randn(new long[] { 8, 8 }, device: d);
        const int n = 20000;
        return BestOf(d, reps: 28, warmup: 2, () =>
        {
            for (int i = 0; i < n; i++)
            {
                var c = a.add(b);
                c.Dispose();
            }
        }) * 1000 / n;
    }

    public static double Matmul(Device d)
    {
        using var scope = NewDisposeScope();
        var a = randn(new long[] { 1024, 1024 }, device: d);
        var b = randn(new long[] { 1024, 1024 }, device: d);
        return BestOf(d, d.type == DeviceType.CUDA ? 200 : 10, warmup: 2, () => a.matmul(b));
    }

    public static double Attention(Device d)
    {
        const int B = 16, H = 4, T = 64, D = 32;
        using var scope = NewDisposeScope();
        var x = randn(new long[] { B, T, H * D }, device: d);
        var wqkv = (randn(new long[] { 3 * H * D, H * D }, device: d) * 0.05).requires_grad_();
        var wo = (randn(new long[] { H * D, H * D }, device: d) * 0.05).requires_grad_();
        return BestOf(d, d.type == DeviceType.CUDA ? 200 : 30, warmup: 3, () =>
        {
            var qkv = nn.functional.linear(x, wqkv).view(B, T, 3, H, D).permute(2, 0, 3, 1, 4);
            var weights = nn.functional.softmax(qkv[0].matmul(qkv[1].transpose(-2, -1)) / Math.Sqrt(D), -1);
            var y = nn.functional.linear(weights.matmul(qkv[2]).transpose(1, 2).reshape(B, T, H * D), wo);
            y.pow(2).mean().backward();
            wqkv.grad = null;
            wo.grad = null;
        });
    }

    public static double Mlp(Device d)
    {
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 256, 512 }, device: d);
        var y = randint(0, 10, new long[] { 256 }, device: d);
        var w1 = (randn(new long[] { 1024, 512 }, device: d) * 0.03).requires_grad_();
        var b1 = zeros(new long[] { 1024 }, device: d, requires_grad: true);
        var w2 = (randn(new long[] { 10, 1024 }, device: d) * 0.03).requires_grad_();
        var b2 = zeros(new long[] { 10 }, device: d, requires_grad: true);
        return BestOf(d, d.type == DeviceType.CUDA ? 200 : 30, warmup: 3, () =>
        {
            var h = nn.functional.linear(x, w1, b1).relu();
            var loss = nn.functional.cross_entropy(nn.functional.linear(h, w2, b2), y);
            loss.backward();
            foreach (var p in new[] { w1, b1, w2, b2 }) p.grad = null;
        });
    }
}
