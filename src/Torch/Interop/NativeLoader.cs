using System.Reflection;
using System.Runtime.InteropServices;

namespace ArchNotebooks.Torch.Interop;

/// <summary>Finds libarchtorch.so: $ARCHNB_TORCH_NATIVE, next to this assembly, or build/native in the repository that holds this build.</summary>
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
        var tried = new List<string>();
        foreach (var candidate in Candidates())
        {
            tried.Add(candidate);
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        throw new DllNotFoundException(
            "libarchtorch.so (the libtorch shim) was not found. Run ./archnb setup to build it, or set ARCHNB_TORCH_NATIVE to its path. Looked in: "
            + string.Join(", ", tried));
    }

    static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable("ARCHNB_TORCH_NATIVE");
        if (!string.IsNullOrEmpty(env)) yield return Directory.Exists(env) ? Path.Combine(env, "libarchtorch.so") : env;
        var here = AppContext.BaseDirectory;
        yield return Path.Combine(here, "libarchtorch.so");
        for (var dir = new DirectoryInfo(here); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "src", "Torch", "native", "CMakeLists.txt")))
            {
                yield return Path.Combine(dir.FullName, "build", "native", "libarchtorch.so");
                yield break;
            }
    }
}
