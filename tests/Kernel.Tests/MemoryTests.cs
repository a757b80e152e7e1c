using System.Diagnostics;
using ArchNotebooks.Kernel.Tests.Support;
using Xunit.Abstractions;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// Roslyn scripting never unloads a submission's assembly, and each submission's compilation keeps
/// the chain before it alive, so a session grows with its cell count. It used to grow by ~780 MiB of
/// managed heap over 1,000 cells, because every cell was given all ~35 references again and its
/// compilation bound its own copy of each; cells now get only references the chain does not carry yet
/// (ScriptEnvironment.Options), ~50 KiB per cell. This reports the growth over 1,000 cells and bounds
/// it at 256 KiB per cell, so that regression, or an extra leak (kept outputs, caches), fails.
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
        Assert.True(after.Managed - before.Managed < cells * 256L * 1024, $"managed heap grew {(after.Managed - before.Managed) >> 20} MiB over {cells} cells");
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
