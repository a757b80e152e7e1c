using System.Reflection;
using System.Runtime.InteropServices;

namespace ArchNotebooks.Torch.Interop;

/// <summary>
/// Finds libarchtorch.so: $ARCHNB_TORCH_NATIVE (a file, or a folder holding it), else beside this
/// assembly or the application (the Torch project copies build/native/libarchtorch.so into every
/// build output that references it).
/// </summary>
internal static class NativeLoader
{
    static int installed;

    internal static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != NativeMethods.Lib) return IntPtr.Zero;
        BlasSelection.Preload();
        var tried = new List<string>();
        foreach (var candidate in Candidates().Distinct())
        {
            tried.Add(candidate);
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        throw new DllNotFoundException(
            "libarchtorch.so (the libtorch shim) was not found. Run ./archnb setup, which builds it and copies it beside the assemblies, " +
            "or set ARCHNB_TORCH_NATIVE to its path. Looked in: " + string.Join(", ", tried));
    }

    static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable("ARCHNB_TORCH_NATIVE");
        if (!string.IsNullOrEmpty(env)) yield return Directory.Exists(env) ? Path.Combine(env, "libarchtorch.so") : env;
        var assemblyDirectory = Path.GetDirectoryName(typeof(NativeLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory)) yield return Path.Combine(assemblyDirectory, "libarchtorch.so");
        yield return Path.Combine(AppContext.BaseDirectory, "libarchtorch.so");
    }
}
