using System.Diagnostics;
using System.Xml.Linq;

namespace ArchNotebooks.Bootstrap;

/// <summary>A package extracted in the bootstrap's package folder.</summary>
sealed record Package(string Id, string Version, string Dir)
{
    /// <summary>The assemblies to compile against: ref/TFM when the package has one, else lib/TFM.</summary>
    public IEnumerable<string> CompileAssets() =>
        Assets("ref") is { Count: > 0 } refs ? refs : Assets("lib");

    /// <summary>The assemblies that must sit beside the app at run time.</summary>
    public IEnumerable<string> RuntimeAssets() => Assets("lib");

    private List<string> Assets(string kind)
    {
        var root = Path.Combine(Dir, kind);
        if (!Directory.Exists(root)) return [];
        var folder = Frameworks.Best(Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>());
        return folder is null ? [] : Directory.GetFiles(Path.Combine(root, folder), "*.dll").Order(StringComparer.Ordinal).ToList();
    }
}

/// <summary>Which target framework folder or dependency group of a package serves net10.0.</summary>
static class Frameworks
{
    private static readonly string[] Order =
    [
        "net10.0", "net9.0", "net8.0", "net7.0", "net6.0", "net5.0",
        "netcoreapp3.1", "netcoreapp3.0", "netcoreapp2.2", "netcoreapp2.1", "netcoreapp2.0", "netcoreapp1.1", "netcoreapp1.0",
        "netstandard2.1", "netstandard2.0", "netstandard1.6", "netstandard1.5", "netstandard1.4", "netstandard1.3",
        "netstandard1.2", "netstandard1.1", "netstandard1.0",
    ];

    public static string Normalize(string tfm)
    {
        var t = tfm.Trim().ToLowerInvariant().TrimStart('.');
        if (t.StartsWith("netstandard") && !t.Contains('.')) t = t.Insert("netstandard".Length + 1, ".");
        if (t.StartsWith("netcoreapp") && !t.Contains('.')) t = t.Insert("netcoreapp".Length + 1, ".");
        return t;
    }

    /// <summary>The best candidate for net10.0, or null when none is compatible.</summary>
    public static string? Best(IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        foreach (var want in Order)
            if (list.FirstOrDefault(c => Normalize(c) == want) is { } hit) return hit;
        return null;
    }
}

/// <summary>
/// Restores packages the way NuGet does for net10.0, for the handful of packages this repository
/// uses: versions from the lowest bound of each dependency range (highest wins across the graph),
/// and packages the shared framework already carries are left out. Downloads go through fetch.py,
/// the same fetcher tools/dotnet-bootstrap.sh used for the toolchain itself (copied beside this SDK).
/// </summary>
sealed class NuGetClient(string packagesDir, ISet<string> frameworkAssemblies)
{
    /// <summary>Packages that hold only analyzers or vstest's adapter: the bootstrap runs no analyzers and
    /// runs tests with xunit's own console runner. (The test SDK itself is restored like any package.)</summary>
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "xunit.runner.visualstudio", "Microsoft.CodeAnalysis.Analyzers", "xunit.analyzers",
    };

    public string PackagesDir => packagesDir;

    public List<Package> Resolve(IEnumerable<(string Id, string Version)> roots)
    {
        var chosen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<(string Id, string Version)>(roots);
        while (queue.Count > 0)
        {
            var (id, version) = queue.Dequeue();
            if (Skipped.Contains(id) || frameworkAssemblies.Contains(id)) continue;
            if (chosen.TryGetValue(id, out var have) && Versions.Compare(have, version) >= 0) continue;
            chosen[id] = version;
            foreach (var dep in Dependencies(Fetch(id, version))) queue.Enqueue(dep);
        }
        return chosen.Select(kv => Fetch(kv.Key, kv.Value)).OrderBy(p => p.Id, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public Package Fetch(string id, string version)
    {
        var dir = Path.Combine(packagesDir, id.ToLowerInvariant(), version.ToLowerInvariant());
        if (!File.Exists(Path.Combine(dir, ".extracted")))
        {
            var info = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "fetch.py"), packagesDir, $"{id}/{version}" }) info.ArgumentList.Add(a);
            using var fetch = Process.Start(info) ?? throw new BuildError("could not start /usr/bin/python3 for fetch.py");
            fetch.WaitForExit();
            if (fetch.ExitCode != 0) throw new BuildError($"package {id} {version} could not be fetched (fetch.py exited {fetch.ExitCode})");
        }
        return new Package(id, version, dir);
    }

    private static IEnumerable<(string, string)> Dependencies(Package package)
    {
        var nuspec = Directory.GetFiles(package.Dir, "*.nuspec").FirstOrDefault();
        if (nuspec is null) yield break;
        var doc = XDocument.Load(nuspec);
        var deps = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "dependencies");
        if (deps is null) yield break;
        var groups = deps.Elements().Where(e => e.Name.LocalName == "group").ToList();
        IEnumerable<XElement> items;
        if (groups.Count == 0) items = deps.Elements();
        else
        {
            var byTfm = groups.Where(g => g.Attribute("targetFramework") is not null)
                .ToDictionary(g => g.Attribute("targetFramework")!.Value, g => g);
            var best = Frameworks.Best(byTfm.Keys);
            items = best is not null ? byTfm[best].Elements()
                : groups.FirstOrDefault(g => g.Attribute("targetFramework") is null)?.Elements() ?? [];
        }
        foreach (var d in items.Where(e => e.Name.LocalName == "dependency"))
        {
            var exclude = d.Attribute("exclude")?.Value ?? "";
            if (exclude.Contains("Compile", StringComparison.OrdinalIgnoreCase) && exclude.Contains("Runtime", StringComparison.OrdinalIgnoreCase)) continue;
            yield return (d.Attribute("id")!.Value, Versions.LowerBound(d.Attribute("version")?.Value ?? "0.0.0"));
        }
    }
}

static class Versions
{
    public static string LowerBound(string range)
    {
        var r = range.Trim();
        if (r.StartsWith('[') || r.StartsWith('('))
        {
            var inner = r.Trim('[', ']', '(', ')');
            var low = inner.Split(',')[0].Trim();
            return low.Length > 0 ? low : "0.0.0";
        }
        return r;
    }

    public static int Compare(string a, string b)
    {
        static (int[] Parts, string Pre) Split(string v)
        {
            var dash = v.IndexOf('-');
            var core = dash < 0 ? v : v[..dash];
            var nums = core.Split('.').Select(p => int.TryParse(p, out var n) ? n : 0).Concat(Enumerable.Repeat(0, 4)).Take(4).ToArray();
            return (nums, dash < 0 ? "" : v[(dash + 1)..]);
        }
        var (pa, ra) = Split(a);
        var (pb, rb) = Split(b);
        for (var i = 0; i < 4; i++)
            if (pa[i] != pb[i]) return pa[i].CompareTo(pb[i]);
        if (ra == rb) return 0;
        if (ra.Length == 0) return 1;
        if (rb.Length == 0) return -1;
        return string.CompareOrdinal(ra, rb);
    }
}
