using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace ArchNotebooks.Bootstrap;

sealed class BuildError(string message) : Exception(message);

/// <summary>
/// One SDK-style project as this repository writes them: properties (with Directory.Build.props),
/// ProjectReference, PackageReference with central versions (Directory.Packages.props), Compile
/// Include/Remove globs, None items copied to the output, InternalsVisibleTo and Using items.
/// </summary>
sealed class Project
{
    public required string File { get; init; }
    public string Dir => Path.GetDirectoryName(File)!;
    public Dictionary<string, string> Props { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> ProjectReferences { get; } = [];
    public List<string> PackageReferences { get; } = [];
    public List<string> CompileInclude { get; } = [];
    public List<string> CompileRemove { get; } = [];
    public List<string> CopyToOutput { get; } = [];
    public List<string> InternalsVisibleTo { get; } = [];
    public List<string> Usings { get; } = [];
    public Dictionary<string, string> CentralVersions { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Inputs { get; } = [];        // the project and props files
    /// <summary>Set for a file-based app: its only source, and where its build goes.</summary>
    public string? SingleSource { get; init; }
    public string? OutputOverride { get; init; }

    public string Prop(string name, string fallback = "") => Props.TryGetValue(name, out var v) && v.Length > 0 ? v : fallback;
    public bool Flag(string name) => Prop(name).Equals("true", StringComparison.OrdinalIgnoreCase);
    public string AssemblyName => Prop("AssemblyName", Path.GetFileNameWithoutExtension(File));
    public bool IsTest => Flag("IsTestProject");
    public bool IsExe => Prop("OutputType").Equals("Exe", StringComparison.OrdinalIgnoreCase) || IsTest;
    public string OutDir => OutputOverride ?? Path.Combine(Dir, "bin", "Release", "net10.0");
    public string OutputDll => Path.Combine(OutDir, AssemblyName + ".dll");

    public static Project Load(string file, string? singleSource = null, string? outputOverride = null,
        IReadOnlyDictionary<string, string>? extraProps = null, IEnumerable<string>? extraProjectReferences = null)
    {
        var p = new Project { File = Path.GetFullPath(file), SingleSource = singleSource, OutputOverride = outputOverride };
        foreach (var props in new[] { "Directory.Build.props", "Directory.Packages.props" })
            if (FindUp(p.Dir, props) is { } found) p.Read(found);
        if (System.IO.File.Exists(p.File)) p.Read(p.File);
        foreach (var (k, v) in extraProps ?? new Dictionary<string, string>()) p.Props[k] = v;
        foreach (var r in extraProjectReferences ?? []) p.ProjectReferences.Add(r);
        return p;
    }

    private static string? FindUp(string dir, string name)
    {
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
            if (System.IO.File.Exists(Path.Combine(d.FullName, name))) return Path.Combine(d.FullName, name);
        return null;
    }

    private void Read(string path)
    {
        Inputs.Add(path);
        var baseDir = Path.GetDirectoryName(path)!;
        var doc = XDocument.Load(path);
        foreach (var group in doc.Root!.Elements())
        {
            if (group.Name.LocalName == "PropertyGroup")
                foreach (var prop in group.Elements()) Props[prop.Name.LocalName] = Expand(prop.Value.Trim());
            if (group.Name.LocalName != "ItemGroup") continue;
            foreach (var item in group.Elements())
            {
                var include = item.Attribute("Include")?.Value;
                var remove = item.Attribute("Remove")?.Value;
                switch (item.Name.LocalName)
                {
                    case "ProjectReference" when include is not null:
                        ProjectReferences.Add(Path.GetFullPath(Path.Combine(baseDir, include))); break;
                    case "PackageReference" when include is not null:
                        PackageReferences.Add(include); break;
                    case "PackageVersion" when include is not null:
                        CentralVersions[include] = item.Attribute("Version")!.Value; break;
                    case "Compile" when include is not null:
                        CompileInclude.Add(include); break;
                    case "Compile" when remove is not null:
                        CompileRemove.Add(remove); break;
                    case "None" when include is not null && (item.Attribute("CopyToOutputDirectory")?.Value ?? "Never") != "Never":
                        CopyToOutput.Add(include); break;
                    case "InternalsVisibleTo" when include is not null:
                        InternalsVisibleTo.Add(include); break;
                    case "Using" when include is not null:
                        Usings.Add(include); break;
                }
            }
        }
    }

    private string Expand(string value) =>
        Regex.Replace(value, @"\$\((\w+)\)", m => Props.TryGetValue(m.Groups[1].Value, out var v) ? v : "");

    /// <summary>The C# sources: **/*.cs under the project (not bin/, obj/ or hidden folders), less Compile Remove, plus Compile Include.</summary>
    public List<string> Sources()
    {
        if (SingleSource is not null) return [SingleSource];
        var all = Directory.EnumerateFiles(Dir, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
            {
                var rel = Path.GetRelativePath(Dir, f).Replace('\\', '/');
                return !rel.StartsWith("bin/") && !rel.StartsWith("obj/") && !rel.Split('/').Any(s => s.StartsWith('.'));
            })
            .Where(f => !CompileRemove.Any(g => Glob.Matches(Dir, g, f)));
        var extra = CompileInclude.SelectMany(g => Glob.Expand(Dir, g));
        return all.Concat(extra).Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal).ToList();
    }
}

static class Glob
{
    private static Regex ToRegex(string baseDir, string glob)
    {
        var full = Path.GetFullPath(Path.Combine(baseDir, glob.Replace('\\', '/'))).Replace('\\', '/');
        var pattern = Regex.Escape(full).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]");
        return new Regex("^" + pattern + "$");
    }

    public static bool Matches(string baseDir, string glob, string file) =>
        ToRegex(baseDir, glob).IsMatch(Path.GetFullPath(file).Replace('\\', '/'));

    public static IEnumerable<string> Expand(string baseDir, string glob)
    {
        var full = Path.GetFullPath(Path.Combine(baseDir, glob.Replace('\\', '/')));
        if (!glob.Contains('*') && !glob.Contains('?')) return System.IO.File.Exists(full) ? [full] : [];
        var root = full[..full.IndexOfAny(['*', '?'])];
        root = root[..(root.LastIndexOf('/') + 1)];
        if (!Directory.Exists(root)) return [];
        var regex = ToRegex(baseDir, glob);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => regex.IsMatch(f.Replace('\\', '/')));
    }
}

/// <summary>
/// Builds projects with Roslyn in this process: the sources and references an SDK build would
/// pass to csc, the implicit usings and assembly attributes it generates, the framework's source
/// generators, and the output folder laid out as `dotnet build` lays it out (dependencies beside
/// the assembly, runtimeconfig.json for executables, None items copied).
/// </summary>
sealed class Builder(Toolchain toolchain)
{
    private readonly Dictionary<string, Project> _built = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Project> _loaded = new(StringComparer.Ordinal);
    private List<ISourceGenerator>? _generators;

    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    public Project LoadCached(string file) =>
        _loaded.TryGetValue(Path.GetFullPath(file), out var p) ? p : _loaded[Path.GetFullPath(file)] = Project.Load(file);

    /// <summary>The project and every project it references, transitively, dependencies first.</summary>
    public List<Project> Closure(Project root)
    {
        var order = new List<Project>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(Project p)
        {
            if (!seen.Add(p.File)) return;
            foreach (var r in p.ProjectReferences)
            {
                if (!File.Exists(r)) throw new BuildError($"{p.File}: referenced project {r} does not exist");
                Visit(LoadCached(r));
            }
            order.Add(p);
        }
        Visit(root);
        return order;
    }

    /// <summary>The packages a project's closure (from <see cref="Closure"/>) references, transitively.</summary>
    public List<Package> Packages(List<Project> closure)
    {
        var roots = new List<(string, string)>();
        foreach (var p in closure)
            foreach (var id in p.PackageReferences)
            {
                if (!p.CentralVersions.TryGetValue(id, out var v))
                    throw new BuildError($"{p.File}: PackageReference {id} has no PackageVersion in Directory.Packages.props");
                roots.Add((id, v));
            }
        return toolchain.NuGet.Resolve(roots);
    }

    public void Build(Project project)
    {
        foreach (var p in Closure(project)) BuildOne(p);
    }

    private void BuildOne(Project p)
    {
        if (_built.ContainsKey(p.File)) return;
        var closure = Closure(p);
        var referenced = closure.Where(c => c != p).ToList();
        var packages = Packages(closure);
        var sources = p.Sources();
        var inputs = sources.Concat(p.Inputs).Concat(referenced.Select(r => r.OutputDll)).ToList();
        if (UpToDate(p, inputs)) { _built[p.File] = p; return; }

        var started = DateTime.UtcNow;
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular,
            ["RELEASE", "TRACE", "NET", "NET10_0", "NETCOREAPP", .. Enumerable.Range(5, 6).Select(v => $"NET{v}_0_OR_GREATER"),
             "NETCOREAPP3_1_OR_GREATER", "NETCOREAPP3_0_OR_GREATER", "NETCOREAPP2_0_OR_GREATER", "NETCOREAPP1_0_OR_GREATER"]);
        var trees = sources.Select(f => CSharpSyntaxTree.ParseText(ReadSource(p, f), parse, f, Encoding.UTF8)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(Generated(p), parse, Path.Combine(p.Dir, "obj", p.AssemblyName + ".Generated.cs"), Encoding.UTF8));

        var references = toolchain.ReferenceAssemblies.Concat(packages.SelectMany(k => k.CompileAssets()))
            .Concat(referenced.Select(r => r.OutputDll)).Distinct().Select(f => MetadataReference.CreateFromFile(f)).ToList();

        var noWarn = p.Prop("NoWarn").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.StartsWith("CS") || !char.IsDigit(c[0]) ? c : "CS" + c.PadLeft(4, '0'))
            .Concat(["CS1701", "CS1702"]).Distinct().ToDictionary(c => c, _ => ReportDiagnostic.Suppress);
        var options = new CSharpCompilationOptions(
            p.IsExe ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            allowUnsafe: p.Flag("AllowUnsafeBlocks"),
            nullableContextOptions: p.Prop("Nullable") == "enable" ? NullableContextOptions.Enable : NullableContextOptions.Disable,
            generalDiagnosticOption: p.Flag("TreatWarningsAsErrors") ? ReportDiagnostic.Error : ReportDiagnostic.Default,
            warningLevel: 9999,
            specificDiagnosticOptions: noWarn,
            deterministic: true);

        Compilation compilation = CSharpCompilation.Create(p.AssemblyName, trees, references, options);
        var driver = CSharpGeneratorDriver.Create(Generators(), parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out compilation, out var generatorDiagnostics);

        Directory.CreateDirectory(p.OutDir);
        var temp = p.OutputDll + ".tmp";
        var tempPdb = Path.ChangeExtension(p.OutputDll, ".pdb") + ".tmp";
        EmitResult result;
        using (var pe = File.Create(temp))
        using (var pdb = File.Create(tempPdb))
            result = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb,
                pdbFilePath: Path.ChangeExtension(p.OutputDll, ".pdb")));
        var diagnostics = generatorDiagnostics.Concat(result.Diagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed).ToList();
        foreach (var d in diagnostics) Console.Error.WriteLine(d.ToString());
        if (!result.Success)
        {
            File.Delete(temp); File.Delete(tempPdb);
            throw new BuildError($"{Path.GetFileName(p.File)}: compilation failed ({diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} errors)");
        }
        File.Move(temp, p.OutputDll, overwrite: true);
        File.Move(tempPdb, Path.ChangeExtension(p.OutputDll, ".pdb"), overwrite: true);

        // The output folder: referenced projects' outputs, package runtime assemblies, copied items.
        foreach (var r in referenced)
        {
            Copy(r.OutputDll, p.OutDir);
            Copy(Path.ChangeExtension(r.OutputDll, ".pdb"), p.OutDir);
            if (r.IsExe && !r.IsTest) Copy(Path.ChangeExtension(r.OutputDll, ".runtimeconfig.json"), p.OutDir);
        }
        foreach (var asset in packages.SelectMany(k => k.RuntimeAssets())) Copy(asset, p.OutDir);
        foreach (var c in closure)
            foreach (var item in c.CopyToOutput)
                foreach (var f in Glob.Expand(c.Dir, item))
                {
                    var dest = Path.Combine(p.OutDir, Path.GetRelativePath(c.Dir, f));
                    Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                    File.Copy(f, dest, overwrite: true);
                }
        if (p.IsExe) WriteRuntimeConfig(p);
        File.WriteAllText(Path.Combine(p.OutDir, ".bootstrap-built"), "built by tools/dotnet-bootstrap (no .NET SDK on this machine)\n");
        Console.Error.WriteLine($"[bootstrap] built {Path.GetRelativePath(Directory.GetCurrentDirectory(), p.OutputDll)} ({(DateTime.UtcNow - started).TotalSeconds:F1} s)");
        _built[p.File] = p;
    }

    private static string ReadSource(Project p, string file)
    {
        var text = File.ReadAllText(file);
        if (p.SingleSource is null) return text;
        // A file-based app's #! and #: lines are for the SDK, not the compiler: blank them, keeping line numbers.
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].StartsWith("#!") || lines[i].StartsWith("#:")) lines[i] = "// " + lines[i];
        return string.Join('\n', lines);
    }

    private static bool UpToDate(Project p, List<string> inputs)
    {
        if (!File.Exists(p.OutputDll) || !File.Exists(Path.Combine(p.OutDir, ".bootstrap-built"))) return false;
        var built = File.GetLastWriteTimeUtc(p.OutputDll);
        return inputs.All(i => File.Exists(i) && File.GetLastWriteTimeUtc(i) <= built);
    }

    /// <summary>Copies <paramref name="file"/> into <paramref name="dir"/> unless an identical-looking copy is already there.</summary>
    internal static void Copy(string file, string dir)
    {
        if (!File.Exists(file)) return;
        var dest = Path.Combine(dir, Path.GetFileName(file));
        if (Path.GetFullPath(dest) == Path.GetFullPath(file)) return;
        if (File.Exists(dest) && File.GetLastWriteTimeUtc(dest) >= File.GetLastWriteTimeUtc(file) && new FileInfo(dest).Length == new FileInfo(file).Length) return;
        File.Copy(file, dest, overwrite: true);
    }

    /// <summary>What the SDK generates into obj/: global usings, assembly attributes, a test entry point.</summary>
    private static string Generated(Project p)
    {
        var s = new StringBuilder();
        if (p.Prop("ImplicitUsings") is "enable" or "true")
            foreach (var u in ImplicitUsings) s.AppendLine($"global using global::{u};");
        foreach (var u in p.Usings) s.AppendLine($"global using global::{u};");
        var version = p.Prop("Version", "1.0.0");
        var numeric = Regex.Match(version, @"^\d+(\.\d+){0,3}").Value;
        var fourPart = string.Join('.', (numeric + ".0.0.0").Split('.').Take(4));
        s.AppendLine("[assembly: global::System.Runtime.Versioning.TargetFrameworkAttribute(\".NETCoreApp,Version=v10.0\", FrameworkDisplayName = \".NET 10.0\")]");
        s.AppendLine($"[assembly: global::System.Reflection.AssemblyCompanyAttribute(\"{p.AssemblyName}\")]");
        s.AppendLine("[assembly: global::System.Reflection.AssemblyConfigurationAttribute(\"Release\")]");
        s.AppendLine($"[assembly: global::System.Reflection.AssemblyFileVersionAttribute(\"{fourPart}\")]");
        s.AppendLine($"[assembly: global::System.Reflection.AssemblyInformationalVersionAttribute(\"{version}\")]");
        s.AppendLine($"[assembly: global::System.Reflection.AssemblyProductAttribute(\"{p.AssemblyName}\")]");
        s.AppendLine($"[assembly: global::System.Reflection.AssemblyTitleAttribute(\"{p.AssemblyName}\")]");
        s.AppendLine($"[assembly: global::System.Reflection.AssemblyVersionAttribute(\"{fourPart}\")]");
        foreach (var friend in p.InternalsVisibleTo)
            s.AppendLine($"[assembly: global::System.Runtime.CompilerServices.InternalsVisibleToAttribute(\"{friend}\")]");
        if (p.IsTest && !p.Prop("GenerateProgramFile").Equals("false", StringComparison.OrdinalIgnoreCase))
            s.AppendLine("internal sealed class AutoGeneratedProgram { public static void Main(string[] args) { } }");
        return s.ToString();
    }

    private static void WriteRuntimeConfig(Project p)
    {
        var config = new JsonObject();
        void Set(string property, string key)
        {
            var v = p.Prop(property);
            if (v.Length > 0) config[key] = v.Equals("true", StringComparison.OrdinalIgnoreCase);
        }
        Set("InvariantGlobalization", "System.Globalization.Invariant");
        Set("TieredPGO", "System.Runtime.TieredPGO");
        Set("TieredCompilationQuickJitForLoops", "System.Runtime.TieredCompilation.QuickJitForLoops");
        Set("ServerGarbageCollector", "System.GC.Server");
        config["System.Reflection.Metadata.MetadataUpdater.IsSupported"] = false;
        var doc = new JsonObject
        {
            ["runtimeOptions"] = new JsonObject
            {
                ["tfm"] = "net10.0",
                ["framework"] = new JsonObject { ["name"] = "Microsoft.NETCore.App", ["version"] = "10.0.0" },
                ["configProperties"] = config,
            },
        };
        File.WriteAllText(Path.ChangeExtension(p.OutputDll, ".runtimeconfig.json"), doc.ToJsonString(new() { WriteIndented = true }));
    }

    /// <summary>The source generators the framework's reference pack ships (regex, JSON, interop), as the SDK runs them.</summary>
    private List<ISourceGenerator> Generators()
    {
        if (_generators is not null) return _generators;
        _generators = [];
        foreach (var dll in toolchain.GeneratorAssemblies)
        {
            Type[] types;
            try { types = Assembly.LoadFrom(dll).GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = e.Types.OfType<Type>().ToArray(); }
            foreach (var t in types.Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(GeneratorAttribute), false).Length > 0))
            {
                var instance = Activator.CreateInstance(t);
                if (instance is IIncrementalGenerator incremental) _generators.Add(incremental.AsSourceGenerator());
                else if (instance is ISourceGenerator classic) _generators.Add(classic);
            }
        }
        return _generators;
    }
}

/// <summary>Where the bootstrap toolchain's parts are: the reference pack, its generators, the package folder.</summary>
sealed class Toolchain
{
    public string DotnetRoot { get; }
    public string Muxer => Path.Combine(DotnetRoot, "dotnet");
    public List<string> ReferenceAssemblies { get; }
    public List<string> GeneratorAssemblies { get; }
    public NuGetClient NuGet { get; }

    public Toolchain()
    {
        // This assembly sits in <root>/sdk/<version>/dotnet.dll.
        DotnetRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", ".."));
        var pack = Directory.GetDirectories(Path.Combine(DotnetRoot, "packs", "Microsoft.NETCore.App.Ref")).Max(StringComparer.Ordinal)
            ?? throw new BuildError("no Microsoft.NETCore.App.Ref pack under " + DotnetRoot);
        ReferenceAssemblies = Directory.GetFiles(Path.Combine(pack, "ref", "net10.0"), "*.dll").Order(StringComparer.Ordinal).ToList();
        var analyzers = Path.Combine(pack, "analyzers", "dotnet", "cs");
        GeneratorAssemblies = Directory.Exists(analyzers) ? Directory.GetFiles(analyzers, "*.dll").Order(StringComparer.Ordinal).ToList() : [];
        var frameworkNames = new HashSet<string>(ReferenceAssemblies.Select(Path.GetFileNameWithoutExtension).OfType<string>(), StringComparer.OrdinalIgnoreCase);
        NuGet = new NuGetClient(Path.Combine(DotnetRoot, "packages"), frameworkNames);
    }
}
