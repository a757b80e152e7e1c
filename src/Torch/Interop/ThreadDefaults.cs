using System.Globalization;

namespace ArchNotebooks.Torch.Interop;

/// <summary>
/// The intra-op thread count a process starts with: one thread per physical core this process may use.
/// <para>
/// libtorch's own default asks cpuinfo for the physical cores, which reads CPUID and can disagree with
/// the kernel (on this project's 2-core VMs it reports one core, so every session ran single-threaded),
/// and it ignores cgroup CPU quotas, so a container limited to 4 CPUs on a 64-core host starts 64 threads.
/// We count cores the way the kernel describes them: the CPUs in this process's affinity mask, grouped
/// by (package, core) from /sys/devices/system/cpu/cpuN/topology (hyperthread siblings share a core),
/// capped by <see cref="Environment.ProcessorCount"/>, which .NET already limits by the cgroup quota.
/// </para>
/// <para>
/// An explicit choice always wins: ARCHNB_NUM_THREADS, else OMP_NUM_THREADS (which libtorch reads itself,
/// so we leave it alone), else <c>torch.set_num_threads</c> later in the session.
/// </para>
/// </summary>
public static class ThreadDefaults
{
    /// <summary>The count chosen at start-up and why, in words (shown by #!arch device).</summary>
    public static string Decision { get; private set; } = "not decided yet (libtorch not loaded)";

    /// <summary>Called once, right after libarchtorch loads.</summary>
    internal static void Apply()
    {
        var (threads, why) = Choose(Environment.GetEnvironmentVariable("ARCHNB_NUM_THREADS"), Environment.GetEnvironmentVariable("OMP_NUM_THREADS"));
        Decision = why;
        if (threads is { } n) NativeMethods.arch_set_num_threads(n);
    }

    /// <summary>The thread count to set (null: leave libtorch's) and the reason, from the two environment variables and this machine.</summary>
    internal static (int? Threads, string Why) Choose(string? archnbThreads, string? ompThreads)
    {
        if (!string.IsNullOrWhiteSpace(archnbThreads))
        {
            if (int.TryParse(archnbThreads, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
                return (n, $"ARCHNB_NUM_THREADS={n}");
            // Start-up must not throw over a typo in an environment variable; fall through and say so.
            var (t, why) = FromMachine();
            return (t, $"{why} (ARCHNB_NUM_THREADS='{archnbThreads}' is not a positive integer, ignored)");
        }
        if (!string.IsNullOrWhiteSpace(ompThreads)) return (null, $"OMP_NUM_THREADS={ompThreads} (read by libtorch)");
        return FromMachine();
    }

    static (int? Threads, string Why) FromMachine()
    {
        int usable = Environment.ProcessorCount;
        var cores = PhysicalCores();
        if (cores is null) return (usable, $"{usable} = usable processors (CPU topology unreadable)");
        int n = Math.Max(1, Math.Min(cores.Value.Cores, usable));
        var limit = usable < cores.Value.Cpus ? $", capped at {usable} usable by the cgroup CPU limit" : "";
        return (n, $"{n} = physical cores available ({cores.Value.Cores} cores behind {cores.Value.Cpus} logical CPUs in this process's affinity{limit})");
    }

    /// <summary>Distinct (package, core) pairs among the CPUs this process may run on, and how many CPUs that is.</summary>
    internal static (int Cores, int Cpus)? PhysicalCores()
    {
        try
        {
            var allowed = AllowedCpus();
            if (allowed.Count == 0) return null;
            var cores = new HashSet<(string, string)>();
            foreach (var cpu in allowed)
            {
                var topology = $"/sys/devices/system/cpu/cpu{cpu}/topology/";
                if (!File.Exists(topology + "core_id")) return null;
                cores.Add((File.ReadAllText(topology + "physical_package_id").Trim(), File.ReadAllText(topology + "core_id").Trim()));
            }
            return (cores.Count, allowed.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    /// <summary>The affinity mask as a list of CPU numbers, from /proc/self/status's Cpus_allowed_list ("0-3,8-11").</summary>
    static List<int> AllowedCpus()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        return line is null ? [] : ParseCpuList(line["Cpus_allowed_list:".Length..]);
    }

    internal static List<int> ParseCpuList(string list)
    {
        var cpus = new List<int>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            int first = int.Parse(range[0], CultureInfo.InvariantCulture);
            int last = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
            for (int c = first; c <= last; c++) cpus.Add(c);
        }
        return cpus;
    }
}
