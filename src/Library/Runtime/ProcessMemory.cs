using System.Globalization;

namespace ArchNotebooks.Library.Runtime;

/// <summary>
/// Host memory of this process: resident set size and its peak (Linux's VmRSS and VmHWM), in bytes. Device memory
/// is not included: the binding does not expose libtorch's CUDA allocator statistics, so on CUDA these numbers
/// cover only the host side of a run.
/// </summary>
public readonly record struct MemoryReading(long ResidentBytes, long PeakResidentBytes);

/// <summary>Reads <see cref="MemoryReading"/>s; on Linux from /proc/self/status, elsewhere from the .NET process counters.</summary>
public static class ProcessMemory
{
    const string Status = "/proc/self/status";

    /// <summary>The current and peak resident set of this process.</summary>
    public static MemoryReading Read()
    {
        if (File.Exists(Status))
        {
            long rss = -1, hwm = -1;
            foreach (var line in File.ReadLines(Status))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kilobytes(line);
                if (rss >= 0 && hwm >= 0) return new MemoryReading(rss, Math.Max(rss, hwm));
            }
        }
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return new MemoryReading(p.WorkingSet64, Math.Max(p.WorkingSet64, p.PeakWorkingSet64));
    }

    /// <summary>
    /// Starts a new peak: on Linux, writing 5 to /proc/self/clear_refs resets VmHWM to the current resident set, so the
    /// next readings' peak is the peak since now. Returns false where that is not possible (the peak then spans the
    /// process's life).
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException) { return false; }
    }

    // "VmRSS:	  123456 kB"
    static long Kilobytes(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : -1;
    }
}
