using System.Diagnostics;
using System.Text;
using System.Xml.Linq;

namespace ArchNotebooks.Bootstrap;

/// <summary>
/// The SDK of the bootstrap toolchain (tools/dotnet-bootstrap.sh), for a machine that has no .NET
/// SDK: hostfxr hands it `dotnet build`, `dotnet test` and `dotnet run file.cs`, and it does them
/// for this repository's projects with Roslyn and xunit's console runner. Anything else is refused
/// with a message that says so.
/// </summary>
static class Program
{
    public const string Version = "10.0.100-archnb.bootstrap";

    static int Main(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "build" => Build(args[1..]),
                "test" => Test(args[1..]),
                "run" => Run(args[1..]),
                "--version" => Print(Version),
                var verb => throw new BuildError($"`dotnet {verb}` is not available: this machine has no .NET SDK, and the bootstrap toolchain " +
                                                 "(tools/dotnet-bootstrap.sh) does only build, test and run file.cs"),
            };
        }
        catch (BuildError e)
        {
            Console.Error.WriteLine($"[bootstrap] error: {e.Message}");
            return 1;
        }
    }

    static int Print(string s) { Console.WriteLine(s); return 0; }

    /// <summary>The positional arguments, less options (and the values of the options that take one).</summary>
    static List<string> Positional(string[] args, out Dictionary<string, string> options)
    {
        var withValue = new HashSet<string> { "-c", "--configuration", "-v", "--verbosity", "--logger", "-l", "--results-directory", "-f", "--framework", "--filter" };
        options = new Dictionary<string, string>();
        var positional = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--") break;
            if (withValue.Contains(args[i]) && i + 1 < args.Length) { options[args[i]] = args[++i]; continue; }
            if (args[i].StartsWith('-')) { options[args[i]] = ""; continue; }
            positional.Add(args[i]);
        }
        return positional;
    }

    static IEnumerable<string> SolutionProjects(string sln)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(sln))!;
        foreach (var line in File.ReadLines(sln))
        {
            if (!line.StartsWith("Project(")) continue;
            var parts = line.Split('"');
            if (parts.Length > 5 && parts[5].EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
                yield return Path.GetFullPath(Path.Combine(dir, parts[5].Replace('\\', '/')));
        }
    }

    static string Target(List<string> positional)
    {
        if (positional.Count > 0) return positional[0];
        var here = Directory.GetFiles(Directory.GetCurrentDirectory(), "*.sln").Concat(Directory.GetFiles(Directory.GetCurrentDirectory(), "*.csproj")).ToList();
        return here.Count == 1 ? here[0] : throw new BuildError("name the project or solution to build");
    }

    static int Build(string[] args)
    {
        var target = Target(Positional(args, out _));
        if (!File.Exists(target)) throw new BuildError($"{target} does not exist");
        var builder = new Builder(new Toolchain());
        var projects = target.EndsWith(".sln", StringComparison.OrdinalIgnoreCase) ? SolutionProjects(target).ToList() : [Path.GetFullPath(target)];
        foreach (var p in projects) builder.Build(builder.LoadCached(p));
        return 0;
    }

    // ---- test: xunit's console runner over the built test assembly, summarised as `dotnet test` does ----

    static int Test(string[] args)
    {
        var positional = Positional(args, out var options);
        var target = Target(positional);
        var toolchain = new Toolchain();
        var builder = new Builder(toolchain);
        var project = builder.LoadCached(target);
        if (!options.ContainsKey("--no-build")) builder.Build(project);
        if (!File.Exists(project.OutputDll)) throw new BuildError($"{project.OutputDll} is not built (run dotnet build first)");

        // xunit's console runner (the .NET build of xunit.runner.console) runs beside the tests, so
        // AppContext.BaseDirectory is the test folder, as under vstest's testhost.
        var runner = toolchain.NuGet.Fetch("xunit.runner.console", "2.4.1");
        foreach (var f in Directory.GetFiles(Path.Combine(runner.Dir, "tools", "netcoreapp2.0"), "*.dll"))
            Builder.Copy(f, project.OutDir);
        var xml = Path.Combine(Path.GetTempPath(), $"archnb-xunit-{Environment.ProcessId}.xml");
        var started = Stopwatch.StartNew();
        var exit = Exec(toolchain.Muxer, ["exec", "--runtimeconfig", Path.ChangeExtension(project.OutputDll, ".runtimeconfig.json"),
            Path.Combine(project.OutDir, "xunit.console.dll"), project.OutputDll, "-xml", xml, "-nologo", "-nocolor"], project.OutDir,
            // Tests find restored packages where the SDK's restore would have put them.
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = toolchain.NuGet.PackagesDir },
            // A hung suite must not hang the whole run: it is killed and counted as failed.
            TimeSpan.FromMinutes(double.TryParse(Environment.GetEnvironmentVariable("ARCHNB_TEST_TIMEOUT_MINUTES"), out var m) ? m : 25));
        if (!File.Exists(xml))
        {
            Console.WriteLine($"Failed!  - the test run of {project.AssemblyName}.dll ended (exit {exit}) without results");
            return 1;
        }
        var results = XDocument.Load(xml);
        File.Delete(xml);
        var tests = results.Descendants("test").ToList();
        int Count(string r) => tests.Count(t => t.Attribute("result")?.Value == r);
        var (passed, failed, skipped) = (Count("Pass"), Count("Fail"), Count("Skip"));
        var errors = results.Descendants("error").ToList();
        foreach (var e in errors)
            Console.WriteLine($"  error ({e.Attribute("type")?.Value}) {e.Attribute("name")?.Value}: {e.Descendants("message").FirstOrDefault()?.Value}");
        failed += errors.Count;
        var ok = failed == 0 && exit == 0;
        Console.WriteLine($"{(ok ? "Passed!" : "Failed!")}  - Failed: {failed,5}, Passed: {passed,5}, Skipped: {skipped,5}, Total: {passed + failed + skipped,5}, " +
                          $"Duration: {started.Elapsed.TotalSeconds:F0} s - {project.AssemblyName}.dll (net10.0, xunit console runner)");
        if (Logger(options) is { } trx) WriteTrx(trx, options, tests);
        return ok ? 0 : 1;
    }

    static string? Logger(Dictionary<string, string> options)
    {
        var spec = options.GetValueOrDefault("--logger") ?? options.GetValueOrDefault("-l");
        if (spec is null || !spec.StartsWith("trx", StringComparison.OrdinalIgnoreCase)) return null;
        var name = spec.Split(';').Select(p => p.Split('=', 2)).FirstOrDefault(kv => kv.Length == 2 && kv[0] == "LogFileName")?[1] ?? "results.trx";
        return Path.IsPathRooted(name) ? name : Path.Combine(options.GetValueOrDefault("--results-directory") ?? "TestResults", name);
    }

    /// <summary>A TRX file with one UnitTestResult per test (outcome, and the reason of a skip), as vstest's trx logger writes them.</summary>
    static void WriteTrx(string path, Dictionary<string, string> options, List<XElement> tests)
    {
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var results = new XElement(ns + "Results");
        foreach (var t in tests)
        {
            var outcome = t.Attribute("result")?.Value switch { "Pass" => "Passed", "Fail" => "Failed", _ => "NotExecuted" };
            var r = new XElement(ns + "UnitTestResult", new XAttribute("testName", t.Attribute("name")?.Value ?? ""), new XAttribute("outcome", outcome));
            var message = outcome == "NotExecuted" ? t.Element("reason")?.Value : t.Element("failure")?.Element("message")?.Value;
            if (message is not null) r.Add(new XElement(ns + "Output", new XElement(ns + "ErrorInfo", new XElement(ns + "Message", message))));
            results.Add(r);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        new XDocument(new XElement(ns + "TestRun", results)).Save(path);
    }

    // ---- run: a .NET 10 file-based app (`dotnet run file.cs -- args`) ----

    static int Run(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        var appArgs = split >= 0 ? args[(split + 1)..] : [];
        var positional = Positional(split >= 0 ? args[..split] : args, out _);
        var file = positional.FirstOrDefault(a => a.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
            ?? throw new BuildError("the bootstrap toolchain runs file-based apps only: dotnet run FILE.cs [-- ARGS]");
        file = Path.GetFullPath(file);
        if (!File.Exists(file)) throw new BuildError($"{file} does not exist");

        var props = new Dictionary<string, string> { ["OutputType"] = "Exe", ["ImplicitUsings"] = "enable", ["Nullable"] = "enable" };
        var references = new List<string>();
        foreach (var line in File.ReadLines(file).TakeWhile(l => l.StartsWith("#") || l.StartsWith("//") || l.Trim().Length == 0))
        {
            if (!line.StartsWith("#:")) continue;
            var directive = line[2..].Trim();
            var space = directive.IndexOf(' ');
            var (kind, value) = space < 0 ? (directive, "") : (directive[..space], directive[(space + 1)..].Trim());
            switch (kind)
            {
                case "project":
                    var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, value));
                    if (Directory.Exists(path)) path = Directory.GetFiles(path, "*.csproj").Single();
                    references.Add(path);
                    break;
                case "property":
                    var kv = value.Split('=', 2);
                    props[kv[0].Trim()] = kv.Length > 1 ? kv[1].Trim() : "";
                    break;
                default:
                    throw new BuildError($"{file}: the directive #:{kind} is not supported by the bootstrap toolchain (only #:project and #:property)");
            }
        }
        var name = Path.GetFileNameWithoutExtension(file);
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(file)))[..12].ToLowerInvariant();
        var toolchain = new Toolchain();
        var outDir = Path.Combine(toolchain.DotnetRoot, "runfile", $"{name}-{hash}");
        var project = Project.Load(Path.ChangeExtension(file, ".csproj"), singleSource: file, outputOverride: outDir,
            extraProps: props, extraProjectReferences: references);
        new Builder(toolchain).Build(project);
        return Exec(toolchain.Muxer, [project.OutputDll, .. appArgs], Directory.GetCurrentDirectory());
    }

    static int Exec(string file, IEnumerable<string> args, string workingDirectory, Dictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? []) info.Environment[k] = v;
        info.Environment["DOTNET_HOST_PATH"] = file;
        using var process = Process.Start(info) ?? throw new BuildError($"could not start {file}");
        if (timeout is { } limit && !process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Console.WriteLine($"[bootstrap] killed after {limit.TotalMinutes:0.#} min (ARCHNB_TEST_TIMEOUT_MINUTES): {string.Join(' ', info.ArgumentList)}");
            return 124;
        }
        process.WaitForExit();
        return process.ExitCode;
    }
}
