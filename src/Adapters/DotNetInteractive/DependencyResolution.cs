using System.Reflection;
using System.Runtime.CompilerServices;
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
    }
}
