// ./archnb bench torch: the binding against PyTorch eager on the same libtorch, in one run.
// Each figure is the best of several timed repeats after a warm-up (the least disturbed by other
// work on a shared machine; PyTorch is measured the same way); every line ends with the ratio.
using System.Diagnostics;
using System.Globalization;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var device = args.Length > 0 ? args[0] : "cpu";
var baselineFile = args.Length > 1 ? args[1] : null;
var dev = Device.Parse(device);
Console.WriteLine($"libtorch {torch.__version__}, device {dev}, threads {get_num_threads()}, CPU allocator: " +
    (cpu_allocator_cached ? "the binding's small-block cache (ARCHNB_CPU_ALLOCATOR=default for libtorch's own)" : "libtorch's default"));

var ours = new Dictionary<string, double>
{
    ["add8x8_us"] = Bench.PerOpAdd(dev),
    ["matmul1024_ms"] = Bench.Matmul(dev),
    ["mlp_fwd_bwd_ms"] = Bench.Mlp(dev),
};

var baseline = new Dictionary<string, double>();
if (baselineFile != null && File.Exists(baselineFile))
    foreach (var line in File.ReadAllLines(baselineFile))
    {
        var parts = line.Split('=', 2);
        if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) baseline[parts[0].Trim()] = v;
    }

Report("per-op overhead, 8x8 float32 add", "add8x8_us", "us/op", lowerIsBetter: true);
Report("matmul 1024x1024x1024 float32", "matmul1024_ms", "ms", lowerIsBetter: true);
Report("2-layer MLP forward+backward (batch 256, 512-1024-10)", "mlp_fwd_bwd_ms", "ms", lowerIsBetter: true);

void Report(string what, string key, string unit, bool lowerIsBetter)
{
    var o = ours[key];
    if (baseline.TryGetValue(key, out var b))
        // ratio = our speed / PyTorch's speed: above 1 means faster than PyTorch eager.
        Console.WriteLine($"{what}: ArchNotebooks {o:F3} {unit}, PyTorch eager {b:F3} {unit}, cost ratio {o / b:F2}x (speed ratio {b / o:F2})");
    else
        Console.WriteLine($"{what}: ArchNotebooks {o:F3} {unit}, PyTorch eager n/a (baseline not run), ratio n/a");
}

static class Bench
{
    static double Best(List<double> xs) => xs.Min();

    static void Sync(Device d) { if (d.type == DeviceType.CUDA) cuda.synchronize(d.index < 0 ? 0 : d.index); }

    public static double PerOpAdd(Device d)
    {
        using var scope = NewDisposeScope();
        var a = randn(new long[] { 8, 8 }, device: d);
        var b = randn(new long[] { 8, 8 }, device: d);
        const int n = 20000;
        var times = new List<double>();
        for (int rep = 0; rep < 30; rep++)
        {
            Sync(d);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                var c = a.add(b);
                c.Dispose();
            }
            Sync(d);
            times.Add(sw.Elapsed.TotalMilliseconds * 1000 / n);
        }
        times.RemoveRange(0, 2);
        return Best(times);
    }

    public static double Matmul(Device d)
    {
        using var scope = NewDisposeScope();
        var a = randn(new long[] { 1024, 1024 }, device: d);
        var b = randn(new long[] { 1024, 1024 }, device: d);
        int reps = d.type == DeviceType.CUDA ? 200 : 10;
        var times = new List<double>();
        for (int rep = 0; rep < reps + 2; rep++)
        {
            Sync(d);
            var sw = Stopwatch.StartNew();
            using (var c = a.matmul(b)) Sync(d);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.RemoveRange(0, 2);
        return Best(times);
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
        int reps = d.type == DeviceType.CUDA ? 200 : 30;
        var times = new List<double>();
        for (int rep = 0; rep < reps + 3; rep++)
        {
            Sync(d);
            var sw = Stopwatch.StartNew();
            using (var step = NewDisposeScope())
            {
                var h = nn.functional.linear(x, w1, b1).relu();
                var loss = nn.functional.cross_entropy(nn.functional.linear(h, w2, b2), y);
                loss.backward();
                foreach (var p in new[] { w1, b1, w2, b2 }) p.grad = null;
            }
            Sync(d);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.RemoveRange(0, 3);
        return Best(times);
    }
}
