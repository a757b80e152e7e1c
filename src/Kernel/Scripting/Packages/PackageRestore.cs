using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ArchNotebooks.Kernel.Scripting.Packages;

/// <summary>What a restore made available: assemblies to reference (runtime implementations) and native libraries to load.</summary>
internal sealed record RestoredPackages(IReadOnlyList<string> Assemblies, IReadOnlyList<string> NativeLibraries, IReadOnlyList<string> Packages);

/// <summary>Thrown when the .NET SDK cannot restore what a cell asked for; the message names the package and the reason.</summary>
internal sealed class PackageRestoreException(string message, IReadOnlyList<string> details) : Exception(message)
{
    public IReadOnlyList<string> Details { get; } = details;
}

/// <summary>
/// Resolves packages the way the .NET SDK does for a project, because it is the SDK's restore: a generated project
/// (this framework, this machine's runtime identifier, one PackageReference per requested package) in the session's
/// own folder is restored with <c>dotnet restore</c> from the NuGet sources configured on the machine, and
/// obj/project.assets.json then lists every package of the closure with its runtime assemblies and native libraries.
/// Downloads land in the user's global packages folder, so a second kernel restoring the same packages is quick.
/// </summary>
internal sealed class PackageRestore
{
    private readonly string _directory;
    private readonly string _targetFramework = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
    private readonly string _runtime = RuntimeInformation.RuntimeIdentifier;

    public PackageRestore(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        // Empty MSBuild files here stop the search upwards, so a repository's Directory.Build.props or central package
        // versions (which may pin or forbid versions) do not leak into the notebook's packages.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
    }

    public RestoredPackages Restore(IReadOnlyList<PackageRequest> packages, TimeSpan timeout)
    {
        var project = Path.Combine(_directory, "notebook-packages.csproj");
        new XDocument(new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("TargetFramework", _targetFramework),
                new XElement("RuntimeIdentifier", _runtime),
                new XElement("ManagePackageVersionsCentrally", "false"),
                new XElement("ImplicitUsings", "disable")),
            new XElement("ItemGroup", packages.Select(p =>
                new XElement("PackageReference", new XAttribute("Include", p.Name), new XAttribute("Version", p.Version ?? "*"))))))
            .Save(project);
        var (exit, output) = RunDotnet(["restore", project, "--nologo", "-v", "quiet"], timeout);
        if (exit != 0) throw Failure(packages, output);
        return ReadAssets(Path.Combine(_directory, "obj", "project.assets.json"));
    }

    private static PackageRestoreException Failure(IReadOnlyList<PackageRequest> packages, string output)
    {
        var errors = output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        foreach (var package in packages)
        {
            // NU1101: no package of that id on any source; NU1102/NU1103: the id exists, the version does not.
            if (errors.Any(e => e.Contains("NU1101", StringComparison.Ordinal) && e.Contains(package.Name, StringComparison.OrdinalIgnoreCase)))
                return new($"#r nuget: there is no package '{package.Name}' on the NuGet sources configured on this machine", errors);
            if (errors.Any(e => (e.Contains("NU1102", StringComparison.Ordinal) || e.Contains("NU1103", StringComparison.Ordinal)) && e.Contains(package.Name, StringComparison.OrdinalIgnoreCase)))
                return new($"#r nuget: package '{package.Name}' has no version {package.Version ?? "(stable)"} on the NuGet sources configured on this machine", errors);
        }
        return new($"#r nuget: restoring {string.Join(", ", packages)} failed", errors.Count > 0 ? errors : [output.Trim()]);
    }

    /// <summary>The closure's runtime assemblies (compile ones where a package has none) and native libraries, from the SDK's assets file.</summary>
    private RestoredPackages ReadAssets(string assetsPath)
    {
        var assets = JsonNode.Parse(File.ReadAllText(assetsPath))!.AsObject();
        var packageFolder = assets["packageFolders"]!.AsObject().First().Key;
        var target = assets["targets"]![$"{_targetFramework}/{_runtime}"]!.AsObject();
        var libraries = assets["libraries"]!.AsObject();
        List<string> assemblies = [], natives = [], names = [];
        foreach (var (key, node) in target)
        {
            if ((string?)node!["type"] != "package") continue;
            names.Add(key.Replace('/', ' '));
            var root = Path.Combine(packageFolder, (string)libraries[key]!["path"]!);
            var managed = Files(node["runtime"]);
            assemblies.AddRange((managed.Count > 0 ? managed : Files(node["compile"])).Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Select(f => Path.Combine(root, f)));
            natives.AddRange(Files(node["native"]).Select(f => Path.Combine(root, f)));
        }
        return new RestoredPackages(assemblies, natives, names);
    }

    /// <summary>Asset paths of one section; "_._" marks a package that has nothing for this framework.</summary>
    private static List<string> Files(JsonNode? section) =>
        section is JsonObject files ? files.Select(f => f.Key).Where(f => !f.EndsWith("/_._", StringComparison.Ordinal) && f != "_._").ToList() : [];

    /// <summary>The dotnet host running this kernel when it runs under one, else the one on PATH.</summary>
    private static string DotnetHost =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    private (int Exit, string Output) RunDotnet(string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var a in args) start.ArgumentList.Add(a);
        // A kernel started from an MSBuild task or `dotnet test` inherits MSBuild's own variables, which would steer this
        // restore into that build's SDK resolution; the restore is a fresh build of its own.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new PackageRestoreException("#r nuget: could not start dotnet", []);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new PackageRestoreException($"#r nuget: dotnet restore did not finish within {timeout.TotalSeconds:0} s", []);
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
