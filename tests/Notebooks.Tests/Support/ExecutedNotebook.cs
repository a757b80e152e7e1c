using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace ArchNotebooks.Notebooks.Tests.Support;

/// <summary>
/// A notebook from notebooks/ executed by <c>archnb run</c> in a scratch copy of its own (so its
/// ./runs log is fresh), with the executed notebook, the HTML report and the run log kept for assertions.
/// </summary>
public sealed class ExecutedNotebook
{
    /// <summary>The parameters CI runs each notebook with: small enough for the test budget, the same code path.</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, string Value)[]> CiParameters = new Dictionary<string, (string, string)[]>
    {
        ["quickstart.ipynb"] = [("seed", "0"), ("steps", "150")],   // #!arch lines read them as @csharp:seed, @csharp:steps
        ["transformer-ablation.ipynb"] = [("steps", "80"), ("seeds", "3"), ("scalingSeeds", "2")],
        ["video-architecture.ipynb"] = [("steps", "60"), ("seeds", "3")],
        ["mixture-of-experts.ipynb"] = [("steps", "300"), ("seeds", "3")],
        ["symmetry.ipynb"] = [("maxSteps", "80"), ("seeds", "2")],
        ["experiment.dib"] = [("steps", "60"), ("seeds", "3")],
        ["your-own-architecture.ipynb"] = [("steps", "150"), ("seeds", "3")],
        ["your-own-attention.ipynb"] = [("steps", "120"), ("seeds", "2"), ("scaleSteps", "60"), ("scaleSeeds", "1")],
        ["memory-and-computation.ipynb"] = [("steps", "60"), ("seeds", "2")],
    };

    static readonly ConcurrentDictionary<string, Lazy<ExecutedNotebook>> cache = new();

    /// <summary>The notebook executed once per test run with its CI parameters (shared by every test that asks).</summary>
    public static ExecutedNotebook Get(string name) => cache.GetOrAdd(name, n => new Lazy<ExecutedNotebook>(() => Execute(n))).Value;

    public required string Name { get; init; }
    public required string Directory { get; init; }
    public required int ExitCode { get; init; }
    public required string Output { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public string ExecutedPath => Path.Combine(Directory, "executed.ipynb");
    public string ReportPath => Path.Combine(Directory, "report.html");
    public string RunsDirectory => Path.Combine(Directory, "runs");

    /// <summary>Runs a fresh copy of notebooks/<paramref name="name"/> (used directly by the determinism test).</summary>
    public static ExecutedNotebook Execute(string name, IReadOnlyList<(string Name, string Value)>? parameters = null)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("archnb-notebook-").FullName;
        File.Copy(Path.Combine(Repo.Notebooks, name), Path.Combine(dir, name));
        var args = new List<string> { Repo.ArchnbDll, "run", Path.Combine(dir, name), "--out", Path.Combine(dir, "executed.ipynb"), "--html", Path.Combine(dir, "report.html"), "--timeout", "300" };
        foreach (var (n, v) in parameters ?? CiParameters[name]) args.AddRange(["-p", n, v]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (exit, output) = ChildProcess.Run("dotnet", args, dir, timeoutSeconds: 420);
        return new ExecutedNotebook { Name = name, Directory = dir, ExitCode = exit, Output = output, Elapsed = clock.Elapsed };
    }

    JsonObject? document;
    public JsonObject Document => document ??= JsonNode.Parse(File.ReadAllText(ExecutedPath))!.AsObject();

    public IEnumerable<JsonObject> CodeCells => Document["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "code");

    public IEnumerable<JsonObject> Outputs => CodeCells.SelectMany(c => c["outputs"]!.AsArray().Select(o => o!.AsObject()));

    public IEnumerable<JsonObject> Errors => Outputs.Where(o => (string?)o["output_type"] == "error");

    /// <summary>Every text an output carries under <paramref name="mime"/> (stream text for "stream").</summary>
    public IEnumerable<string> Texts(string mime = "text/plain") => Outputs.Select(o => mime == "stream"
            ? (string?)o["output_type"] == "stream" ? Join(o["text"]) : null
            : o["data"] is JsonObject data && data[mime] is { } value ? Join(value) : null)
        .OfType<string>();

    /// <summary>The text/plain of outputs whose text starts with <paramref name="prefix"/>.</summary>
    public IEnumerable<string> TextsStartingWith(string prefix) => Texts().Where(t => t.StartsWith(prefix, StringComparison.Ordinal));

    static string Join(JsonNode? node) => node is JsonArray parts ? string.Concat(parts.Select(p => (string?)p)) : (string?)node ?? "";

    public void AssertSucceeded()
    {
        Assert.True(ExitCode == 0, $"archnb run {Name} exited with {ExitCode}:\n{Output}");
        Assert.True(File.Exists(ExecutedPath), $"no executed notebook:\n{Output}");
        Assert.Empty(Errors.Select(e => $"{e["ename"]}: {e["evalue"]}"));
        Assert.True(File.Exists(ReportPath), "no HTML report");
    }
}
