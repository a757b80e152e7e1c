using System.Diagnostics;
using System.Text;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch device</c>: what this session computes on: devices, libtorch version and build, threads, memory.</summary>
public sealed class DeviceCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("device", "devices, libtorch version and build, threads, BLAS, memory",
        [],
        [new OptionSpec("threads", "n", "set libtorch's intra-op threads for this session (every thread that runs a cell picks it up), then report", Values.Int(1))],
        [
            new("#!arch device", "where models can live, what libtorch was built with, how many threads it uses and why"),
            new("#!arch device --threads 1", "run single-threaded from now on (e.g. while another job has the other cores)"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        int? threads = line.Value<int>("threads");
        return run =>
        {
            if (threads is { } n) torch.set_num_threads(n);
            run.Display(DeviceReport.Now());
            return Task.CompletedTask;
        };
    }
}

/// <summary>The machine as the notebook sees it.</summary>
public sealed record DeviceReport(IReadOnlyList<(string Name, string Value)> Facts, string BuildInfo) : IMimeRenderable
{
    public static DeviceReport Now()
    {
        int cudaDevices = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        var gc = GC.GetGCMemoryInfo();
        var meminfo = MemInfo();
        var blas = torch.blas_info;
        var facts = new List<(string, string)>
        {
            ("libtorch", torch.__version__),
            ("devices", string.Join(", ", new[] { "cpu" }.Concat(Enumerable.Range(0, cudaDevices).Select(i => $"cuda:{i}")))),
            ("CUDA", cudaDevices > 0 ? $"available, {cudaDevices} device(s)" : "not available (CPU build or no GPU)"),
            ("intra-op threads", torch.get_num_threads().ToString()),
            ("thread default", torch.num_threads_default),
            ("usable processors", $"{Environment.ProcessorCount} (affinity and cgroup CPU limit)"),
            ("BLAS", $"{blas.Threading} OpenBLAS, {blas.Library}"),
            ("BLAS choice", blas.Decision),
            ("CPU allocator", CpuAllocator()),
            ("deterministic algorithms", torch.are_deterministic_algorithms_enabled() ? "on" : "off"),
            ("process memory", $"{LayerSummary.Bytes(Environment.WorkingSet)} resident, {LayerSummary.Bytes(GC.GetTotalMemory(false))} managed heap"),
            ("machine memory", meminfo is { } m ? $"{LayerSummary.Bytes(m.available)} available of {LayerSummary.Bytes(m.total)}" : $"{LayerSummary.Bytes(gc.TotalAvailableMemoryBytes)} available to .NET"),
            (".NET", Environment.Version.ToString()),
        };
        if (cudaDevices > 0 && GpuMemory() is { } gpu) facts.Add(("GPU memory (nvidia-smi)", gpu));
        return new DeviceReport(facts, torch.build_info);
    }

    static string CpuAllocator() =>
        (torch.cpu_allocator_cached ? "blocks up to 4 KiB from a per-thread cache" : "libtorch's own (ARCHNB_CPU_ALLOCATOR=default)") + "; " +
        (torch.malloc_thresholds is { } t
            ? $"glibc malloc with fixed thresholds: heap below {LayerSummary.Bytes(t.Mmap)}, up to {LayerSummary.Bytes(t.Trim)} kept free per arena"
            : "glibc malloc's own moving thresholds (ARCHNB_MALLOC_THRESHOLDS=system)");

    static (long total, long available)? MemInfo()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/meminfo");
            long Read(string key) => long.Parse(lines.First(l => l.StartsWith(key + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            return (Read("MemTotal"), Read("MemAvailable"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException) { return null; }
    }

    static string? GpuMemory()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=index,name,memory.used,memory.total --format=csv,noheader")
                { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (p is null) return null;
            var text = p.StandardOutput.ReadToEnd();
            return p.WaitForExit(3000) && p.ExitCode == 0 ? string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())) : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return null; }
    }

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var html = new StringBuilder("<h4>Device</h4>");
        html.Append(HtmlText.Table(["", "value"], Facts.Select(f => (IEnumerable<string>)[HtmlText.Escape(f.Name), $"<td style=\"text-align:left\">{HtmlText.Escape(f.Value)}</td>"])));
        html.Append("<details><summary>libtorch build configuration</summary><pre>").Append(HtmlText.Escape(BuildInfo)).Append("</pre></details>");
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString() =>
        string.Join("\n", Facts.Select(f => $"{f.Name,-26}{f.Value}")) + "\nlibtorch build:\n" + string.Join("\n", BuildInfo.Split('\n').Select(l => "  " + l.TrimEnd()));
}
