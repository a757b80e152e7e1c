using System.Reflection;
using ArchNotebooks.Interactive;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// What every cell starts with: the framework and the host's display contract referenced and imported,
/// <c>#r</c>/<c>#load</c> resolved against the working directory, and extensions (ArchNotebooks.Extensions.dll,
/// ARCHNB_EXTENSIONS) loaded into the session, each adding the assemblies and namespaces its cells use
/// (the kernel itself names no library: the toolkit's references come from ArchNotebooks.Extensions).
/// </summary>
internal sealed class ScriptEnvironment
{
    private static readonly string[] BaseImports =
    [
        "System", "System.IO", "System.Linq", "System.Text", "System.Threading", "System.Threading.Tasks",
        "System.Collections.Generic", "ArchNotebooks.Interactive",
    ];

    public List<MetadataReference> References { get; } = new();
    public List<string> Imports { get; } = new(BaseImports);
    public List<string> LoadedExtensions { get; } = new();
    public string BaseDirectory { get; }

    private readonly MetadataReferenceResolver _resolver;

    public ScriptEnvironment(string baseDirectory)
    {
        BaseDirectory = baseDirectory;
        var netstandard = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "netstandard.dll");
        _resolver = new FacadeAwareResolver(
            ScriptMetadataResolver.Default.WithBaseDirectory(BaseDirectory).WithSearchPaths(BaseDirectory, AppContext.BaseDirectory), netstandard);
        foreach (var path in FrameworkAssemblies()) References.Add(MetadataReference.CreateFromFile(path));
        References.Add(MetadataReference.CreateFromFile(typeof(MimeBundle).Assembly.Location));
        References.Add(MetadataReference.CreateFromFile(typeof(ScriptGlobals).Assembly.Location));
    }

    /// <summary>
    /// The framework assemblies cells see without <c>#r</c>. A curated list rather than all ~160: every
    /// submission's compilation binds against every reference, so memory per cell grows with the count
    /// (measured: ~0.7 MB per cell with all of System.*, ~0.15 MB with these). The netstandard facade is
    /// left out (it costs every cell ~3 ms of binding) and added when a <c>#r</c> assembly needs it.
    /// </summary>
    private static readonly HashSet<string> FrameworkNames = new(StringComparer.Ordinal)
    {
        "System.Private.CoreLib", "System.Runtime", "System.Collections", "System.Collections.Concurrent",
        "System.Linq", "System.Linq.Expressions", "System.Console", "System.Text.Json", "System.Text.RegularExpressions",
        "System.Threading", "System.Threading.Tasks", "System.Threading.Tasks.Parallel", "System.IO", "System.Memory",
        "System.Runtime.InteropServices", "System.Runtime.Numerics", "System.Numerics.Vectors", "System.ObjectModel",
        "System.ComponentModel.Primitives", "System.Diagnostics.Process", "System.Net.Http", "System.Net.Primitives",
        "System.Private.Uri", "System.Xml.ReaderWriter", "System.Private.Xml", "System.Private.Xml.Linq", "System.Xml.Linq",
        "System.Web.HttpUtility", "System.IO.Compression", "System.Security.Cryptography", "Microsoft.CSharp", "System.Runtime.Extensions",
    };

    private static IEnumerable<string> FrameworkAssemblies()
    {
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator);
        return tpa.Where(p => FrameworkNames.Contains(Path.GetFileNameWithoutExtension(p)));
    }

    /// <summary>
    /// Options for one submission. Roslyn lets a submission see every reference of the submissions before
    /// it, so a cell chained after submissions that already carry the first <paramref name="referencesInChain"/>
    /// entries of <see cref="References"/> gets only the rest (usually none). Passing all of them again made
    /// every cell's compilation bind its own copy of each referenced assembly (1,000 cells: 824 MiB of heap, now 54).
    /// </summary>
    public ScriptOptions Options(string filePath, int referencesInChain = 0) => ScriptOptions.Default
        .WithReferences(References.Skip(referencesInChain))
        .WithImports(Imports)
        .WithEmitDebugInformation(true)
        .WithFilePath(filePath)
        .WithFileEncoding(System.Text.Encoding.UTF8)
        .WithAllowUnsafe(true)
        .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview)
        .WithMetadataResolver(_resolver)
        .WithSourceResolver(new SourceFileResolver([BaseDirectory], BaseDirectory));

    /// <summary>References the assemblies a cell needs to name <paramref name="type"/>, unless cells have them already.</summary>
    public void Reference(Type type)
    {
        foreach (var assembly in TypeNames.Assemblies(type)) Reference(assembly);
    }

    private void Reference(Assembly assembly)
    {
        var path = assembly.Location;
        if (path.Length > 0 && !References.OfType<PortableExecutableReference>().Any(r => r.FilePath == path))
            References.Add(MetadataReference.CreateFromFile(path));
    }

    /// <summary>Loads every extension it can find into <paramref name="session"/>; a broken one is logged and skipped.</summary>
    public void LoadExtensions(NotebookSession session)
    {
        var candidates = new List<string>();
        var beside = Path.Combine(AppContext.BaseDirectory, "ArchNotebooks.Extensions.dll");
        if (File.Exists(beside)) candidates.Add(beside);
        candidates.AddRange((Environment.GetEnvironmentVariable("ARCHNB_EXTENSIONS") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        foreach (var path in candidates)
        {
            try { LoadExtension(Assembly.LoadFrom(Path.GetFullPath(path)), session); }
            catch (Exception e) { KernelLog.Write($"extension {path} failed to load: {e.Message}"); }
        }
    }

    public void LoadExtension(Assembly assembly, NotebookSession session)
    {
        var context = new KernelExtensionContext(session);
        foreach (var type in assembly.GetExportedTypes().Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null))
        {
            ((IKernelExtension)Activator.CreateInstance(type)!).Load(context);
            LoadedExtensions.Add(type.FullName!);
        }
        Reference(assembly);
        foreach (var extra in context.ScriptReferences) Reference(extra);
        Imports.AddRange(context.ScriptImports.Distinct().Where(i => !Imports.Contains(i)));
    }
}

/// <summary>The kernel's own diagnostics: to the real stderr (Console.Error belongs to the cells).</summary>
internal static class KernelLog
{
    private static readonly TextWriter s_stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
    public static bool Quiet { get; set; }

    public static void Write(string message)
    {
        if (Quiet) return;
        lock (s_stderr) s_stderr.WriteLine($"[archnb {DateTime.Now:HH:mm:ss.fff}] {message}");
    }
}
