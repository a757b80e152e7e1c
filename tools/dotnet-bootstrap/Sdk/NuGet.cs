using System.IO.Compression;
using System.Net.Http;
using System.Text.Json;
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
/// uses: the source comes from NuGet's own configuration, versions from the lowest bound of each
/// dependency range (highest wins across the graph), and packages the shared framework already
/// carries are left out.
/// </summary>
sealed class NuGetClient(string packagesDir, ISet<string> frameworkAssemblies)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };
    private string? _baseAddress;

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
        var lower = id.ToLowerInvariant();
        var dir = Path.Combine(packagesDir, lower, version.ToLowerInvariant());
        if (File.Exists(Path.Combine(dir, ".extracted"))) return new Package(id, version, dir);
        var url = $"{BaseAddress()}{lower}/{version.ToLowerInvariant()}/{lower}.{version.ToLowerInvariant()}.nupkg";
        Console.Error.WriteLine($"[bootstrap] downloading {id} {version}");
        byte[] bytes;
        try { bytes = Http.GetByteArrayAsync(url).GetAwaiter().GetResult(); }
        catch (HttpRequestException e) { throw new BuildError($"package {id} {version} could not be downloaded from the NuGet source ({e.Message})"); }
        var temp = dir + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(temp)) Directory.Delete(temp, true);
        using (var zip = new ZipArchive(new MemoryStream(bytes))) zip.ExtractToDirectory(temp);
        File.WriteAllText(Path.Combine(temp, ".extracted"), url);
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        Directory.Move(temp, dir);
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

    /// <summary>The package base address (flat container) of the configured source's service index.</summary>
    private string BaseAddress()
    {
        if (_baseAddress is not null) return _baseAddress;
        var index = SourceIndex();
        using var json = JsonDocument.Parse(Http.GetStringAsync(index).GetAwaiter().GetResult());
        foreach (var r in json.RootElement.GetProperty("resources").EnumerateArray())
            if (r.GetProperty("@type").GetString()?.StartsWith("PackageBaseAddress/3.0.0", StringComparison.Ordinal) == true)
                return _baseAddress = r.GetProperty("@id").GetString()!.TrimEnd('/') + "/";
        throw new BuildError($"the NuGet source {index} has no PackageBaseAddress resource");
    }

    /// <summary>ARCHNB_NUGET_SOURCE, else the first v3 source of the user's NuGet.Config.</summary>
    private static string SourceIndex()
    {
        if (Environment.GetEnvironmentVariable("ARCHNB_NUGET_SOURCE") is { Length: > 0 } env) return env;
        var config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (File.Exists(config))
        {
            var source = XDocument.Load(config).Descendants("packageSources").Elements("add")
                .Select(e => e.Attribute("value")?.Value).FirstOrDefault(v => v is not null && v.EndsWith("index.json", StringComparison.OrdinalIgnoreCase));
            if (source is not null) return source;
        }
        throw new BuildError($"no NuGet source: set ARCHNB_NUGET_SOURCE to a v3 service index, or add one to {config}");
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
