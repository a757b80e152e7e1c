using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace ArchNotebooks.Kernel.Scripting.Packages;

/// <summary>
/// One session's NuGet packages: every package its cells asked for, restored together (so versions of shared
/// dependencies agree) in a folder of its own, their assemblies referenced by the cells from then on and their native
/// libraries found when the assemblies P/Invoke them. A package already loaded cannot change version in a running
/// session (.NET cannot unload it from the default context); the error says to restart.
/// </summary>
internal sealed class SessionPackages : IDisposable
{
    // The framework's and the kernel's own assemblies by simple name: the process loads these copies whatever a package carries.
    private static readonly Dictionary<string, string> s_loadable = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

    private readonly ScriptEnvironment _environment;
    private readonly string _directory = Path.Combine(Root, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly Dictionary<string, PackageRequest> _requested = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _assemblies = new(StringComparer.OrdinalIgnoreCase);   // simple name -> referenced path
    private readonly Dictionary<string, string> _natives = new(StringComparer.Ordinal);                // file name -> path
    private PackageRestore? _restore;
    private bool _resolverInstalled, _managedResolverInstalled;

    public SessionPackages(ScriptEnvironment environment) => _environment = environment;

    /// <summary>Where every kernel keeps its restore folder, one per process (pid-guid).</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "archnb-packages");

    /// <summary>
    /// A kernel killed without shutting down (SIGKILL, a lost container) leaves its restore folder behind; every session
    /// removes, when it starts, the folders whose kernel is gone. A folder's kernel is gone when no process has its pid,
    /// or when the process with that pid started after the folder was last written (the pid was reused).
    /// </summary>
    public static void RemoveFoldersOfDeadKernels()
    {
        string[] folders;
        try { folders = Directory.Exists(Root) ? Directory.GetDirectories(Root) : []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }  // tidying must never stop a session
        foreach (var folder in folders)
        {
            if (!int.TryParse(Path.GetFileName(folder).Split('-')[0], out var pid) || pid == Environment.ProcessId) continue;
            if (OwnerAlive(pid, Directory.GetLastWriteTimeUtc(folder))) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool OwnerAlive(int pid, DateTime folderWritten)
    {
        try
        {
            if (Zombie(pid)) return false;  // killed, not yet reaped by its parent
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            // A second of slack: process start times are computed from boot time and clock ticks.
            return !process.HasExited && process.StartTime.ToUniversalTime() <= folderWritten.AddSeconds(1);
        }
        catch (ArgumentException) { return false; }          // no such process
        catch (InvalidOperationException) { return false; }  // it exited while we looked
        catch (System.ComponentModel.Win32Exception) { return true; }  // cannot tell: keep the folder
    }

    private static bool Zombie(int pid)
    {
        // /proc/<pid>/stat: "pid (command) state ..."; the command may hold spaces and parentheses, so read after the last ')'.
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
    }

    /// <summary>How long one restore may take (a first download of a large package included).</summary>
    public static TimeSpan RestoreTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Restores the packages <paramref name="code"/> asks for and references them; returns the code without those lines.</summary>
    public string Apply(string code, Action<string> report)
    {
        var (packages, rest) = PackageDirectives.Extract(code);
        var added = new List<PackageRequest>();
        foreach (var package in packages)
        {
            if (_requested.TryGetValue(package.Name, out var loaded))
            {
                if (package.Version is not null && !string.Equals(package.Version, loaded.Version, StringComparison.OrdinalIgnoreCase))
                    throw new PackageRestoreException($"#r nuget: {loaded} is already loaded in this session; restart the kernel to use version {package.Version}", []);
                continue;
            }
            _requested[package.Name] = package;
            added.Add(package);
        }
        if (added.Count == 0) return rest;
        RestoredPackages restored;
        try
        {
            _restore ??= new PackageRestore(_directory);
            restored = _restore.Restore(_requested.Values.ToList(), RestoreTimeout);
        }
        catch
        {
            foreach (var package in added) _requested.Remove(package.Name);
            throw;
        }
        Reference(restored);
        report($"Restored {string.Join(", ", added)}: {restored.Packages.Count} package(s) with dependencies — {string.Join(", ", restored.Packages)}\n");
        return rest;
    }

    private void Reference(RestoredPackages restored)
    {
        foreach (var path in restored.Assemblies)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (_assemblies.TryGetValue(name, out var earlier))
            {
                if (earlier != path) KernelLog.Write($"#r nuget: {name} stays at {earlier}; a later restore wanted {path}");
                continue;
            }
            // The copy the process loads wins (a System.* package for older frameworks, a library the kernel ships):
            // cells compile against what will run.
            var used = s_loadable.TryGetValue(name, out var loadable) ? loadable : path;
            _assemblies[name] = used;
            if (!_environment.References.OfType<PortableExecutableReference>().Any(r => r.FilePath == used))
                _environment.References.Add(MetadataReference.CreateFromFile(used));
        }
        if (!_managedResolverInstalled)
        {
            _managedResolverInstalled = true;
            AppDomain.CurrentDomain.AssemblyResolve += ResolveManaged;
        }
        foreach (var path in restored.NativeLibraries) _natives.TryAdd(Path.GetFileName(path), path);
        if (restored.NativeLibraries.Count > 0 && !_resolverInstalled)
        {
            _resolverInstalled = true;
            AppDomain.CurrentDomain.AssemblyLoad += (_, e) => InstallResolver(e.LoadedAssembly);
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies()) InstallResolver(assembly);
        }
    }

    /// <summary>
    /// Packages that load a dependency by name at run time (Microsoft.Data.Sqlite finds SQLitePCLRaw's batteries with
    /// Type.GetType) ask for an assembly no cell has touched yet; it is found among the session's packages, the copy
    /// already loaded first so that no type exists twice.
    /// </summary>
    private Assembly? ResolveManaged(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name).Name;
        if (name is null || !_assemblies.TryGetValue(name, out var path)) return null;
        return AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => !a.IsDynamic && a.Location == path)
            ?? Assembly.LoadFrom(path);
    }

    /// <summary>Package assemblies find their package's native libraries (which sit in runtimes/RID/native, where the loader does not look).</summary>
    private void InstallResolver(Assembly assembly)
    {
        if (assembly.IsDynamic || !_assemblies.ContainsValue(assembly.Location)) return;
        try { NativeLibrary.SetDllImportResolver(assembly, ResolveNative); }
        catch (InvalidOperationException) { }  // the package set its own resolver: it knows best
    }

    private nint ResolveNative(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (var candidate in new[] { name, $"lib{name}.so", $"{name}.so", $"lib{name}.dylib", $"{name}.dll" })
            if (_natives.TryGetValue(candidate, out var path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
        return 0;
    }

    public void Dispose()
    {
        if (_managedResolverInstalled) AppDomain.CurrentDomain.AssemblyResolve -= ResolveManaged;
        try { if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
