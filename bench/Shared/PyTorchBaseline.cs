// Shared by the benchmarks that compare the binding with PyTorch eager: thread counts from the command
// line, and a baseline process that runs on the same thread count and the same BLAS as this one, so a
// ratio compares the two front ends rather than two threading arrangements.
using System.Diagnostics;
using System.Globalization;
using ArchNotebooks.Torch;

static class PyTorchBaseline
{
    /// <summary>Runs Debian's python3 on <paramref name="script"/> and returns its key=value lines.</summary>
    public static Dictionary<string, double> Run(string script, IEnumerable<string> args, int threads)
    {
        var result = new Dictionary<string, double>();
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The script calls torch.set_num_threads itself, as this process does: OMP_NUM_THREADS would also cap the
        // pthread OpenBLAS's own threads (it reads that variable), which set_num_threads does not do here.
        psi.Environment["ARCHNB_BENCH_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        var blas = torch.blas_info;
        if (blas.Threading == "OpenMP" && Path.GetDirectoryName(blas.Library) is { Length: > 0 } dir)
        {
            // Python's torch resolves libblas.so.3 through the search path: put the directory of the
            // OpenBLAS this process loaded first, so both sides run the same build.
            var old = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            psi.Environment["LD_LIBRARY_PATH"] = string.IsNullOrEmpty(old) ? dir : $"{dir}:{old}";
        }
        if (torch.malloc_thresholds is { } t)
        {
            // The same glibc thresholds our shim fixes at load (GLIBC_TUNABLES is read when a process starts),
            // so the ratio does not credit the binding with an allocator setting any process can have.
            var tunables = FormattableString.Invariant($"glibc.malloc.mmap_threshold={t.Mmap}:glibc.malloc.trim_threshold={t.Trim}");
            var old = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
            psi.Environment["GLIBC_TUNABLES"] = string.IsNullOrEmpty(old) ? tunables : $"{old}:{tunables}";
        }
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            foreach (var line in p.StandardOutput.ReadToEnd().Split('\n'))
            {
                var parts = line.Split('=', 2);
                if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) result[parts[0].Trim()] = v;
            }
            p.WaitForExit();
            if (p.ExitCode != 0) Console.WriteLine($"PyTorch baseline failed: {err.Result.Trim()}");
        }
        catch (Exception e) { Console.WriteLine($"PyTorch baseline not run: {e.Message}"); }
        return result;
    }

    /// <summary>What the baseline reported about itself (threads and whether its OpenBLAS is the OpenMP build).</summary>
    public static string Describe(Dictionary<string, double> values) =>
        $"PyTorch eager: {values.GetValueOrDefault("threads", double.NaN)} threads, " +
        (values.TryGetValue("blas_openmp", out var omp) ? (omp == 1 ? "OpenMP OpenBLAS" : "pthread OpenBLAS") : "BLAS unknown") +
        (torch.malloc_thresholds is null ? ", glibc's moving malloc thresholds on both sides" : ", both sides on the same fixed glibc malloc thresholds");

    /// <summary>
    /// `--threads 1,4,16` or `--threads all`; by default 1 and this process's start-up count (all physical
    /// cores it may use). Other arguments are returned in order.
    /// </summary>
    public static (int[] Threads, List<string> Others) ParseThreads(string[] args)
    {
        int all = torch.get_num_threads();
        var rest = new List<string>();
        int[]? threads = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] != "--threads") { rest.Add(args[i]); continue; }
            if (i + 1 >= args.Length) throw new ArgumentException("--threads needs a value: N, N,M,... or all");
            threads = args[++i].Split(',').Select(t => t == "all" ? all : int.TryParse(t, out var n) && n > 0 ? n
                : throw new ArgumentException($"--threads: '{t}' is not a positive integer or 'all'")).ToArray();
        }
        return (threads ?? new[] { 1, all }.Distinct().ToArray(), rest);
    }

    /// <summary>Min, median and max of a sample, for lines that show the spread.</summary>
    public static (double Min, double Median, double Max) Spread(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return (s[0], s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2, s[^1]);
    }
}
