using System.Runtime.InteropServices;

namespace ArchNotebooks.Torch.Interop;

/// <summary>
/// Makes this process use the OpenMP build of OpenBLAS before libtorch is loaded.
/// <para>
/// Debian's default OpenBLAS is the pthread build: it runs its own thread pool inside every BLAS call,
/// and libtorch runs OpenMP threads around those calls, so a matmul inside one of ATen's parallel loops
/// starts threads of both kinds and the cores are oversubscribed (a 2-layer MLP step took twice as long
/// at 2 threads as at 1). The OpenMP build shares libgomp's pool with ATen and runs single-threaded when
/// called from inside a parallel region, which is the one threading model both sides agree on.
/// </para>
/// <para>
/// The choice is made for this process only: the OpenMP libraries are loaded by full path before
/// libarchtorch, and the dynamic linker then satisfies libtorch's <c>libblas.so.3</c>,
/// <c>liblapack.so.3</c> and <c>libopenblas.so.0</c> with the objects already loaded under those names.
/// The system's alternatives (what other programs get) are untouched. <c>ARCHNB_BLAS=system</c> keeps
/// whatever the system resolves.
/// </para>
/// </summary>
internal static class BlasSelection
{
    internal const string OpenMpDirectory = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
    // Core first: libblas.so.3 and liblapack.so.3 in that directory are thin front ends needing libopenblas.so.0.
    static readonly string[] Libraries = ["libopenblas.so.0", "libblas.so.3", "liblapack.so.3"];

    /// <summary>What was decided before libtorch loaded, in words (shown by #!arch device).</summary>
    internal static string Decision { get; private set; } = "not decided yet (libtorch not loaded)";

    internal static void Preload()
    {
        var asked = Environment.GetEnvironmentVariable("ARCHNB_BLAS");
        if (string.Equals(asked, "system", StringComparison.OrdinalIgnoreCase))
        {
            Decision = "the system's default (ARCHNB_BLAS=system)";
            return;
        }
        if (!string.IsNullOrEmpty(asked) && !string.Equals(asked, "openmp", StringComparison.OrdinalIgnoreCase))
        {
            // The resolver must not throw for a typo in an environment variable; say it where the user looks.
            Decision = $"the system's default (ARCHNB_BLAS='{asked}' is not 'openmp' or 'system', ignored)";
            return;
        }
        if (!File.Exists(Path.Combine(OpenMpDirectory, Libraries[0])))
        {
            Decision = $"the system's default (the OpenMP OpenBLAS is not installed: Debian package libopenblas0-openmp, {OpenMpDirectory})";
            return;
        }
        foreach (var name in Libraries)
        {
            var path = Path.Combine(OpenMpDirectory, name);
            if (File.Exists(path) && !NativeLibrary.TryLoad(path, out _))
            {
                Decision = $"the system's default ({path} failed to load)";
                return;
            }
        }
        Decision = $"OpenMP OpenBLAS preloaded from {OpenMpDirectory}";
    }
}

/// <summary>The BLAS that libtorch's calls actually reach, read back from the loaded OpenBLAS.</summary>
public sealed record BlasInfo(string Library, string Threading, string Config, string Decision)
{
    public override string ToString() => $"{Library} ({Threading}): {Config}; {Decision}";

    internal static BlasInfo Read()
    {
        // Loading by soname returns the object already in the process (the one libtorch's calls resolve to).
        if (!NativeLibrary.TryLoad("libopenblas.so.0", out var handle))
            return new BlasInfo("not OpenBLAS", "unknown", "libopenblas.so.0 is not loaded", BlasSelection.Decision);
        string threading = "unknown", config = "unknown";
        unsafe
        {
            if (NativeLibrary.TryGetExport(handle, "openblas_get_parallel", out var parallel))
                threading = ((delegate* unmanaged<int>)parallel)() switch { 0 => "sequential", 1 => "pthreads", 2 => "OpenMP", var n => $"mode {n}" };
            if (NativeLibrary.TryGetExport(handle, "openblas_get_config", out var cfg))
                config = Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)cfg)()) ?? "unknown";
        }
        return new BlasInfo(MappedPath("libopenblas") ?? "libopenblas.so.0", threading, config.Trim(), BlasSelection.Decision);
    }

    /// <summary>The file behind the first mapping whose name contains <paramref name="fragment"/>.</summary>
    static string? MappedPath(string fragment)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.IndexOf(fragment, slash, StringComparison.Ordinal) >= 0) return line[slash..];
            }
        }
        catch (IOException) { }
        return null;
    }
}
