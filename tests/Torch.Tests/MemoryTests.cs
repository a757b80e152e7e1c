using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Native memory is given back: dispose scopes keep a long loop flat, and the finalizer frees what was dropped.</summary>
[Collection(SerialCollection.Name)]
public class MemoryTests
{
    const double MiB = 1024 * 1024;

    [Fact]
    public void Hundred_thousand_small_ops_in_dispose_scopes_keep_resident_memory_flat()
    {
        using var a = randn(16, 16);
        using var b = randn(16, 16);
        // Four ops a step; a leak of every result would be about 100,000 x 1 KiB of data alone.
        void Steps(int n)
        {
            for (int i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                var c = a + b;
                var d = c * 0.5;
                var e = d.relu();
                var f = e.sum(0);
                if (i == n - 1) Assert.Equal(16, f.shape[0]);
            }
        }

        Steps(5_000);  // warm-up: operator caches, allocator pools, JIT
        long before = ResidentBytes();
        Steps(25_000);
        long after = ResidentBytes();
        double growth = (after - before) / MiB;
        Assert.True(growth < 50, $"resident memory grew by {growth:F1} MiB over 100,000 ops ({before / MiB:F0} -> {after / MiB:F0} MiB)");
    }

    [Fact]
    public void One_long_scope_emptied_each_step_also_stays_flat()
    {
        using var w = randn(16, 16);
        using var scope = NewDisposeScope();
        void Steps(int n)
        {
            for (int i = 0; i < n; i++)
            {
                var y = w.matmul(w).tanh().mean();
                scope.DisposeEverything();
                Assert.True(y.IsDisposed);
            }
        }
        Steps(2_000);
        long before = ResidentBytes();
        Steps(25_000);
        double growth = (ResidentBytes() - before) / MiB;
        Assert.True(growth < 50, $"resident memory grew by {growth:F1} MiB with DisposeEverything after each step");
        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public void The_measurement_sees_a_leak()
    {
        // The same kind of tensors, kept alive: resident memory must rise, or the bounds above prove nothing.
        long before = ResidentBytes();
        var kept = new List<Tensor>();
        for (int i = 0; i < 40_000; i++) kept.Add(ones(16, 16));
        double growth = (ResidentBytes() - before) / MiB;
        foreach (var t in kept) t.Dispose();
        Assert.True(growth > 30, $"40,000 live 1 KiB tensors raised resident memory by only {growth:F1} MiB");
    }

    [Fact]
    public void Finalizer_frees_tensors_that_were_dropped_without_dispose()
    {
        long before = ResidentBytes();
        long held = DropLargeTensor();
        Assert.True((held - before) / MiB > 150, $"a 256 MiB tensor raised resident memory by only {(held - before) / MiB:F0} MiB");
        for (int i = 0; i < 3; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        double left = (ResidentBytes() - before) / MiB;
        Assert.True(left < 50, $"{left:F0} MiB still resident after the only reference was collected");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static long DropLargeTensor()
    {
        var t = ones(64, 1024, 1024);  // 256 MiB, written so the pages are resident
        Assert.Equal(64L * 1024 * 1024, t.numel());
        return CurrentRss();  // no collection here: t is still reachable from this frame
    }

    /// <summary>VmRSS from /proc/self/status, after a full managed collection so only live objects count.</summary>
    internal static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return CurrentRss();
    }

    static long CurrentRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException("no VmRSS line in /proc/self/status");
    }
}
