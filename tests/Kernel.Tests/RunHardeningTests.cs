using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ArchNotebooks.Kernel.Notebooks;
using ArchNotebooks.Kernel.Tests.Support;
using Xunit.Abstractions;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// <c>archnb run</c> as a child process when things go wrong (issue 20): outputs past the serializer's
/// limit, fields of the wrong type, code on a thread that throws, and the memory a large output costs.
/// </summary>
// In the session collection so its large in-process reads of executed notebooks never overlap MemoryTests' heap measurement.
[Collection("session")]
public sealed partial class RunHardeningTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archnb-run-hardening-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Notebook(string name, params string[] cells)
    {
        var notebook = new NotebookDocument(new JsonObject());
        foreach (var source in cells) notebook.CellsJson.Add(NotebookDocument.NewCell("code", source).Json);
        var path = Path.Combine(_dir, name);
        notebook.Save(path);
        return path;
    }

    private (int Exit, string Output) Run(string notebook, int timeoutSeconds = 300) =>
        ChildProcess.Run("dotnet", [Repo.ArchnbDll, "run", notebook, "--out", Path.Combine(_dir, "out.ipynb"), "--html", Path.Combine(_dir, "out.html")],
            timeoutSeconds: timeoutSeconds);

    private static string AllText(NotebookDocument notebook) => string.Concat(notebook.Cells.SelectMany(c => c.Outputs).OfType<JsonObject>()
        .Select(o => o["text"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : o.ToJsonString()));

    [Fact]
    public void An_output_past_the_serializer_limit_is_truncated_and_the_run_is_saved()
    {
        var notebook = Notebook("huge.ipynb", "Console.WriteLine(\"before the huge write\");", "Console.Write(new string('x', 170_000_000));", "\"after the huge write\"");
        var (exit, output) = Run(notebook);
        Assert.True(exit == 0, output);
        var executed = NotebookDocument.Load(Path.Combine(_dir, "out.ipynb"));
        var text = AllText(executed);
        Assert.Contains("before the huge write", text);
        Assert.Contains("after the huge write", text);
        Assert.Contains("output truncated", text);
        Assert.True(text.Length < 100_000_000, $"{text.Length} characters kept");
        var html = File.ReadAllText(Path.Combine(_dir, "out.html"));
        Assert.Contains("output truncated", html);
        Assert.Contains("after the huge write", html);
    }

    [Theory]
    [InlineData("source", "5", "cell 2 (id second): source is the number 5, expected a string or a list of strings")]
    [InlineData("outputs", "{}", "cell 2 (id second): outputs is an object, expected a list")]
    [InlineData("metadata", "[]", "cell 2 (id second): metadata is a list, expected an object")]
    [InlineData("execution_count", "\"3\"", "cell 2 (id second): execution_count is the string \"3\", expected a whole number or null")]
    [InlineData("tags", "[1]", "cell 2 (id second): metadata.tags[0] is the number 1, expected a string")]
    public void A_field_of_the_wrong_type_is_named_before_anything_runs(string field, string json, string message)
    {
        var path = Notebook("typed.ipynb", "Console.WriteLine(1);", "Console.WriteLine(2);");
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var cell = document["cells"]![1]!.AsObject();
        cell["id"] = "second";
        if (field == "tags") cell["metadata"] = new JsonObject { ["tags"] = JsonNode.Parse(json) };
        else cell[field] = JsonNode.Parse(json);
        File.WriteAllText(path, document.ToJsonString());
        var (exit, output) = Run(path, timeoutSeconds: 120);
        Assert.Equal(2, exit);
        Assert.Contains(message, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void Nbformat_as_a_string_is_a_clear_error()
    {
        var path = Notebook("string-version.ipynb", "1");
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        document["nbformat"] = "4";
        File.WriteAllText(path, document.ToJsonString());
        var (exit, output) = Run(path, timeoutSeconds: 120);
        Assert.Equal(2, exit);
        Assert.Contains("nbformat is the string \"4\", expected the number 4", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void Code_that_throws_on_an_async_void_ends_the_run_but_its_notebook_and_report_are_saved()
    {
        var notebook = Notebook("crash.ipynb", "Console.WriteLine(\"saved before the crash\");",
            "async void Boom() { await Task.Yield(); throw new InvalidOperationException(\"async void boom\"); }\nBoom();\nThread.Sleep(30_000);",
            "Console.WriteLine(\"never runs\");");
        var (exit, output) = Run(notebook);
        Assert.NotEqual(0, exit);
        Assert.Contains("async void boom", output);
        Assert.Contains("saved the run up to cell [2]", output);
        var executed = NotebookDocument.Load(Path.Combine(_dir, "out.ipynb"));
        var text = AllText(executed);
        Assert.Contains("saved before the crash", text);
        Assert.Contains("async void boom", text);
        Assert.DoesNotContain("never runs\n", text);
        var html = File.ReadAllText(Path.Combine(_dir, "out.html"));
        Assert.Contains("saved before the crash", html);
        Assert.Contains("UnhandledException", html);
    }

    /// <summary>180 MB of stdout once peaked at 17.8 GB (~100x): every 50 ms flush re-joined and re-split the whole text.</summary>
    [Fact]
    public void Twenty_megabytes_of_stdout_cost_a_bounded_multiple_in_memory()
    {
        const int lines = 200_000, width = 99;  // 20 MB of text with the newlines
        var small = Peak(Notebook("small.ipynb", "Console.WriteLine(new string('x', 99));"));
        var large = Peak(Notebook("large.ipynb", $"for (int i = 0; i < {lines}; i++) Console.WriteLine(new string('x', {width}));"));
        double megabytes = lines * (width + 1) / 1e6;
        double ratio = (large - small) / 1024.0 / megabytes;
        log.WriteLine($"archnb run peak RSS: {small / 1024} MiB for one line, {large / 1024} MiB for {megabytes:F0} MB of stdout: " +
                      $"+{(large - small) / 1024} MiB, {ratio:F1} MiB per MB of output");
        var executed = NotebookDocument.Load(Path.Combine(_dir, "out.ipynb"));
        Assert.Equal(lines * (width + 1), AllText(executed).Length);
        Assert.True(ratio < 25, $"{ratio:F1} MiB of peak memory per MB of output");
    }

    private long Peak(string notebook)
    {
        var (exit, output) = ChildProcess.Run(ArchNotebooks.Tests.Shared.Python.Interpreter, [Path.Combine(Repo.PythonDir, "peak_rss.py"), "dotnet", Repo.ArchnbDll, "run", notebook,
            "--out", Path.Combine(_dir, "out.ipynb"), "--html", Path.Combine(_dir, "out.html")], timeoutSeconds: 300);
        var match = PeakLine().Match(output);
        Assert.True(exit == 0 && match.Success && match.Groups[1].Value == "0", output);
        return long.Parse(match.Groups[2].Value);
    }

    [GeneratedRegex(@"exit=(-?\d+) peak_rss_kib=(\d+)")]
    private static partial Regex PeakLine();
}
