using System.Reflection;
using System.Runtime.InteropServices;

namespace ArchNotebooks.Library.Runs.DuckDb;

/// <summary>Finds DuckDB's native library (libduckdb.so) and points the "duckdb" P/Invoke name at it.</summary>
/// <remarks>
/// The library comes from the npm package @duckdb/node-bindings-linux-x64 because DuckDB.NET cannot be
/// restored here. Search order: the ARCHNB_DUCKDB environment variable (a path to the .so), the app's own
/// directory, then each ancestor directory's node_modules (where <c>npm install</c> at the repo root puts it).
/// </remarks>
internal static class DuckDbLibrary
{
    public const string EnvironmentVariable = "ARCHNB_DUCKDB";

    private static readonly object Gate = new();
    private static bool registered;
    private static string? resolvedPath;

    /// <summary>Where the library was loaded from, once a connection has been opened.</summary>
    public static string? ResolvedPath => resolvedPath;

    /// <summary>Installs the resolver; must run before the first call into <see cref="DuckDbNative"/>.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (registered) return;
            NativeLibrary.SetDllImportResolver(typeof(DuckDbLibrary).Assembly, Resolve);
            registered = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // Only our name is handled, so other native bindings added to this assembly keep default probing.
        if (name != DuckDbNative.Library) return IntPtr.Zero;
        // An explicit setting that points nowhere is a mistake to report, not a reason to load another copy.
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured) && !File.Exists(configured))
            throw new DllNotFoundException($"{EnvironmentVariable} is set to '{configured}', but no file is there.");
        var candidates = Candidates().ToList();
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            var handle = NativeLibrary.Load(path);
            resolvedPath = path;
            return handle;
        }
        throw new DllNotFoundException(
            "DuckDB's native library was not found. Run `npm install` at the repository root (./archnb setup) " +
            $"or set {EnvironmentVariable} to the path of libduckdb.so. Looked in: " + string.Join(", ", candidates));
    }

    private static IEnumerable<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) yield return Path.GetFullPath(fromEnvironment);

        var fileName = OperatingSystem.IsMacOS() ? "libduckdb.dylib" : "libduckdb.so";
        var appDirectory = AppContext.BaseDirectory;
        yield return Path.Combine(appDirectory, fileName);
        var assemblyDirectory = Path.GetDirectoryName(typeof(DuckDbLibrary).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory) && assemblyDirectory != appDirectory.TrimEnd('/'))
            yield return Path.Combine(assemblyDirectory, fileName);

        var package = PackageName();
        for (var dir = new DirectoryInfo(assemblyDirectory ?? appDirectory); dir != null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, "node_modules", "@duckdb", package, fileName);
    }

    private static string PackageName()
    {
        if (OperatingSystem.IsMacOS()) return "node-bindings-darwin-" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64");
        return RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "node-bindings-linux-arm64" : "node-bindings-linux-x64";
    }
}
