using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// A <c>#r</c>'d assembly's own dependencies (our Extensions, Library, binding, run log and their packages) are not in the
/// host's dependency list, so the default load context would not find them: they are resolved from this assembly's folder.
/// </summary>
static class DependencyResolution
{
    // A #r'd library has no entry point: its module initializer is the one hook that runs before any of its code needs a dependency.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install()
    {
        var folder = Path.GetDirectoryName(typeof(DependencyResolution).Assembly.Location);
        if (string.IsNullOrEmpty(folder)) return;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        // Native libraries of our packages (libduckdb for the run log) sit under runtimes/<rid>/native, which only a
        // deps.json the host never reads would point at.
        var native = Path.Combine(folder, "runtimes", RuntimeIdentifier, "native");
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
        {
            foreach (var file in new[] { name, "lib" + name + ".so", name + ".so" })
            {
                var candidate = Path.Combine(native, file);
                if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
            }
            return IntPtr.Zero;
        };
    }

    static string RuntimeIdentifier
    {
        get
        {
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            return os + "-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        }
    }
}
