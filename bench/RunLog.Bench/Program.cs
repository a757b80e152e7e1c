// Run-log benchmark: how fast metrics can be logged, and what logging every step costs a training loop.
// Each figure prints on one line ending with its ratio to the named baseline (see bench/RESULTS.md).
using System.Diagnostics;
using System.Globalization;
using ArchNotebooks.Runs;
using ArchNotebooks.Torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
var root = Path.Combine(Path.GetTempPath(), "archnb-runlog-bench-" + Environment.ProcessId);
try
{
    using var log = RunLog.Open(root);
    Console.WriteLine($"# run log benchmark: DuckDB {RunLog.DuckDbVersion}, {Environment.ProcessorCount} cores, flush interval {log.Options.FlushInterval.TotalSeconds:F0} s");
    Throughput(log, rows: quick ? 2_000_000 : 10_000_000);
    TrainingLoopOverhead(log, steps: quick ? 1_000 : 5_000, repeats: quick ? 3 : 5);
}
finally
{
    Directory.Delete(root, recursive: true);
}

static void Throughput(RunLog log, int rows)
{
    string[] names = ["loss", "accuracy", "lr", "grad_norm"];
    using var run = log.StartRun(new RunInfo { Name = "bench-throughput" });
    for (var i = 0; i < 100_000; i++) run.Log(i, names[i & 3], i); // warm up the JIT and the buffer
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < rows; i++) run.Log(i >> 2, names[i & 3], i * 0.5);
    var buffered = clock.Elapsed;
    run.Finish();
    var total = clock.Elapsed;
    const double target = 1_000_000;
    var rate = rows / buffered.TotalSeconds;
    Console.WriteLine($"runlog log, buffered            {rate / 1e6,8:F2} M rows/s  vs target 1 M rows/s           ratio {rate / target:F2}x");
    var persisted = rows / total.TotalSeconds;
    Console.WriteLine($"runlog log + write Parquet      {persisted / 1e6,8:F2} M rows/s  vs buffered                    ratio {persisted / rate:F2}x");
}

// The training step is a real libtorch step: a two-layer MLP (64-256-10, batch 128) forward, cross
// entropy, backward and an AdamW update, about a millisecond on this machine.
static void TrainingLoopOverhead(RunLog log, int steps, int repeats)
{
    torch.manual_seed(0);
    using var data = torch.NewDisposeScope();
    var x = torch.randn(128, 64);
    var y = torch.randint(0, 10, new long[] { 128 });
    var w1 = (torch.randn(256, 64) * 0.1).requires_grad_();
    var b1 = torch.zeros(new long[] { 256 }, requires_grad: true);
    var w2 = (torch.randn(10, 256) * 0.1).requires_grad_();
    var b2 = torch.zeros(new long[] { 10 }, requires_grad: true);
    using var optimizer = torch.optim.AdamW(new[] { w1, b1, w2, b2 }, lr: 1e-3);

    double Step()
    {
        using var scope = torch.NewDisposeScope();
        var hidden = torch.nn.functional.linear(x, w1, b1).relu();
        var loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(hidden, w2, b2), y);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.ToDouble();
    }

    long trainingStep = 0;
    (double WallMs, double CpuMs) Loop(Run? run)
    {
        var clock = Stopwatch.StartNew();
        var cpuStart = ProcessCpu.Milliseconds();
        var loss = 0.0;
        for (var step = 0; step < steps; step++)
        {
            loss += Step();
            if (run is null) continue;
            var at = trainingStep++;
            run.Log(at, "loss", loss);
            run.Log(at, "lr", 1e-3);
            run.Log(at, "grad_norm", loss * 0.1);
            run.LogSystem(at, "step_time_s", 0.001);
        }
        // Let the logged loop's last rows be written inside the measurement: flushing is part of its cost.
        run?.Flush();
        return (clock.Elapsed.TotalMilliseconds, ProcessCpu.Milliseconds() - cpuStart);
    }

    Loop(null); // warm-up
    var plain = new List<(double WallMs, double CpuMs)>();
    var logged = new List<(double WallMs, double CpuMs)>();
    // One long run, as in real training, flushed by the log's own timer; each logged repeat ends with a flush
    // so every row it logged is written inside its own measurement.
    using (var run = log.StartRun(new RunInfo { Name = "bench-loop" }))
    {
        Loop(run); // warm-up
        for (var r = 0; r < repeats; r++)
        {
            // Interleave the two variants, alternating which goes first, so drift in machine load hits both alike.
            if (r % 2 == 0) plain.Add(Loop(null));
            logged.Add(Loop(run));
            if (r % 2 == 1) plain.Add(Loop(null));
        }
        run.Finish();
    }
    var plainMs = Median(plain.Select(p => p.WallMs));
    Console.WriteLine($"# training loop: libtorch MLP 64-256-10, batch 128, AdamW, {plainMs / steps:F3} ms/step, {steps} steps, median of {repeats}");
    Report("wall time", Median(logged.Select(p => p.WallMs)), plainMs);
    // Process CPU time (all threads, the flusher included) is what logging really costs, and unlike wall time
    // it does not move when other programs compete for the cores.
    Report("CPU time ", Median(logged.Select(p => p.CpuMs)), Median(plain.Select(p => p.CpuMs)));

    void Report(string measure, double loggedMs, double baselineMs) =>
        Console.WriteLine($"runlog loop logging 4/step, {measure} {loggedMs / steps,6:F3} ms/step vs same loop not logging {baselineMs / steps:F3}  ratio {loggedMs / baselineMs:F4}x (slowdown {(loggedMs / baselineMs - 1) * 100:F2}%, target <= 1%)");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>CPU time of the whole process from clock_gettime(CLOCK_PROCESS_CPUTIME_ID): nanosecond resolution, unlike
/// Process.TotalProcessorTime, which counts 10 ms ticks on Linux.</summary>
static unsafe partial class ProcessCpu
{
    private const int ClockProcessCpuTime = 2;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* timespec);

    public static double Milliseconds()
    {
        long* timespec = stackalloc long[2];
        if (ClockGetTime(ClockProcessCpuTime, timespec) != 0) throw new InvalidOperationException("clock_gettime failed");
        return timespec[0] * 1e3 + timespec[1] / 1e6;
    }
}
