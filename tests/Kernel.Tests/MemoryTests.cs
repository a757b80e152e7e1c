using System.Diagnostics;
using ArchNotebooks.Kernel.Tests.Support;
using Xunit.Abstractions;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// Roslyn scripting never unloads a submission's assembly, and each submission's compilation keeps
/// the whole chain before it alive, so a session grows faster than linearly with its cell count
/// (measured here: ~46 MiB of managed heap after 200 cells, ~780 MiB after 1,000; plain Roslyn
/// scripting shows the same curve). This reports the growth over 1,000 cells and bounds it, so an
/// extra leak (kept outputs, caches) shows up as a failure.
/// </summary>
[Collection("session")]
public sealed class MemoryTests(SessionFixture fixture, ITestOutputHelper log)
{
    [Fact]
    public void A_thousand_cells_grow_memory_by_a_bounded_amount()
    {
        for (int i = 0; i < 20; i++) fixture.Run($"var warm{i} = {i}; warm{i} * 2");
        var before = Snapshot();
        var clock = Stopwatch.StartNew();
        int cells = int.TryParse(Environment.GetEnvironmentVariable("ARCHNB_MEMORY_CELLS"), out var n) ? n : 1000;
        for (int i = 0; i < cells; i++)
        {
            var output = fixture.Run($"var cell{i} = new List<int> {{ {i}, {i + 1} }};\ncell{i}.Sum()");
            Assert.Null(output.Error);
            Assert.Equal((2 * i + 1).ToString(), output.ResultText);
        }
        var elapsed = clock.Elapsed;
        var after = Snapshot();
        double perCellKb = (after.Rss - before.Rss) / (double)cells / 1024;
        log.WriteLine($"{cells} cells in {elapsed.TotalSeconds:F1} s ({elapsed.TotalMilliseconds / cells:F1} ms/cell); " +
                      $"RSS {before.Rss >> 20} -> {after.Rss >> 20} MiB (+{perCellKb:F1} KiB/cell); managed heap {before.Managed >> 20} -> {after.Managed >> 20} MiB; " +
                      $"assemblies {before.Assemblies} -> {after.Assemblies}");
        Assert.True(after.Managed - before.Managed < (cells * 2L << 20), $"managed heap grew {(after.Managed - before.Managed) >> 20} MiB over {cells} cells");
    }

    private static (long Rss, long Managed, int Assemblies) Snapshot()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true), AppDomain.CurrentDomain.GetAssemblies().Length);
    }
}
