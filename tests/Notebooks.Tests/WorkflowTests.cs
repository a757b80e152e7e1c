using System.Globalization;
using System.Text.Json.Nodes;
using ArchNotebooks.Library.Runs;
using ArchNotebooks.Notebooks.Tests.Support;

namespace ArchNotebooks.Notebooks.Tests;

/// <summary>The reports in a real browser, determinism, nbclient with the installed kernelspec, and the file-based app.</summary>
[Collection("notebooks")]
public sealed class WorkflowTests
{
    static readonly string[] Reports = ["quickstart.ipynb", "transformer-ablation.ipynb", "video-architecture.ipynb", "mixture-of-experts.ipynb", "symmetry.ipynb", "experiment.dib"];

    [ChromiumFact]
    public void Every_report_renders_in_headless_chromium_without_console_errors()
    {
        var notebooks = Reports.Select(ExecutedNotebook.Get).ToList();
        foreach (var nb in notebooks) nb.AssertSucceeded();
        var profile = Directory.CreateTempSubdirectory("archnb-chromium-").FullName;
        try
        {
            var args = new List<string> { Path.Combine(AppContext.BaseDirectory, "Browser", "check-reports.mjs"), ChromiumFactAttribute.Chromium, profile };
            args.AddRange(notebooks.Select(n => n.ReportPath));
            var (exit, output) = ChildProcess.Run("node", args, Path.Combine(AppContext.BaseDirectory, "Browser"), timeoutSeconds: 240);
            Assert.True(exit == 0, $"node exited with {exit}:\n{output}");
            var pages = JsonNode.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!.AsArray();
            Assert.Equal(notebooks.Count, pages.Count);
            foreach (var page in pages.Select(p => p!))
            {
                Assert.True(page["errors"]!.AsArray().Count == 0, $"{page["page"]}: {page["errors"]!.ToJsonString()}");
                Assert.True((int)page["drawn"]! >= (int)page["figures"]!, $"{page["page"]}: {page["drawn"]} plots drawn for {page["figures"]} figures");
                Assert.True((int)page["textLength"]! > 1000, $"{page["page"]} is nearly empty");
            }
            // The pages with charts drew them (training curves, attention maps, bar and line charts).
            Assert.All(pages.Take(5), p => Assert.True((int)p!["figures"]! > 0, $"{p["page"]} has no figures"));
        }
        finally { Directory.Delete(profile, recursive: true); }
    }

    [Fact]
    public void Running_a_notebook_twice_with_the_same_seeds_gives_the_same_numbers()
    {
        var first = ExecutedNotebook.Get("transformer-ablation.ipynb");
        first.AssertSucceeded();
        var second = ExecutedNotebook.Execute("transformer-ablation.ipynb");
        second.AssertSucceeded();

        // Every table and conclusion (they carry no times or run ids) matches to the last digit.
        var tables = (ExecutedNotebook nb) => nb.TextsStartingWith("transformer-ablation on reverse").Concat(nb.TextsStartingWith("transformer-width on reverse")).ToList();
        Assert.Equal(tables(first), tables(second));
        Assert.Equal(first.Texts("text/markdown").Skip(1), second.Texts("text/markdown").Skip(1));   // the first is the live progress line

        // And so does every final metric of every run in the two run logs, except wall-clock ones.
        Assert.Equal(FinalMetrics(first), FinalMetrics(second));
        Directory.Delete(second.Directory, recursive: true);
    }

    static List<string> FinalMetrics(ExecutedNotebook nb)
    {
        using var log = RunLog.Open(nb.RunsDirectory);
        var t = log.Query("SELECT ablation_group, variant, seed, \"final.test_accuracy\", \"final.test_loss\", \"final.train_loss\", \"final.generalization_accuracy\" FROM runs ORDER BY ablation_group, variant, seed");
        Assert.True(t.RowCount >= 27, $"only {t.RowCount} runs logged");
        return t.Rows.Select(r => string.Join(" ", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).ToList();
    }

    [Fact]
    public void Quickstart_runs_through_nbclient_with_the_installed_kernelspec()
    {
        var prefix = Directory.CreateTempSubdirectory("archnb-kernelspec-").FullName;
        try
        {
            var (installed, installOutput) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "kernel", "install", "--prefix", prefix], timeoutSeconds: 60);
            Assert.True(installed == 0, $"archnb kernel install failed:\n{installOutput}");
            var work = Directory.CreateTempSubdirectory("archnb-nbclient-").FullName;
            File.Copy(Path.Combine(Repo.Notebooks, "quickstart.ipynb"), Path.Combine(work, "quickstart.ipynb"));
            var environment = new Dictionary<string, string>
            {
                ["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter"),
                ["JUPYTER_RUNTIME_DIR"] = Path.Combine(prefix, "runtime"),
                ["JUPYTER_DATA_DIR"] = Path.Combine(prefix, "data"),
                ["JUPYTER_PLATFORM_DIRS"] = "1",
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            };
            var parameters = ExecutedNotebook.CiParameters["quickstart.ipynb"].SelectMany(p => new[] { p.Name, p.Value });
            var (exit, output) = ChildProcess.Run(Python.Interpreter,
                [Path.Combine(AppContext.BaseDirectory, "python", "run_nbclient.py"), Path.Combine(work, "quickstart.ipynb"), Path.Combine(work, "executed.ipynb"), .. parameters],
                work, environment, timeoutSeconds: 300);
            Assert.True(exit == 0, output);
            Assert.Contains("ok ", output);
            Assert.Contains("language_info=csharp", output);
            var executed = File.ReadAllText(Path.Combine(work, "executed.ipynb"));
            Assert.Contains("Training model on reverse", executed);   // #!arch train ran through the kernel
            Assert.Contains("text/html", executed);                   // and rich outputs came back
            using (var log = RunLog.Open(Path.Combine(work, "runs")))
                Assert.Equal(1, log.Query("SELECT * FROM runs WHERE status = 'finished'").RowCount);
            Directory.Delete(work, recursive: true);
        }
        finally { Directory.Delete(prefix, recursive: true); }
    }

    [Fact]
    public void Experiment_cs_runs_as_a_file_based_app()
    {
        var runs = Directory.CreateTempSubdirectory("archnb-experiment-cs-").FullName;
        try
        {
            var (exit, output) = ChildProcess.Run("dotnet", ["run", Path.Combine(Repo.Notebooks, "experiment.cs"), "--", "--steps", "40", "--seeds", "3", "--runs", runs],
                Repo.Root, new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, timeoutSeconds: 300);
            Assert.True(exit == 0, $"dotnet run notebooks/experiment.cs exited with {exit}:\n{output}");
            Assert.Contains("experiment on reverse: test_accuracy", output);
            Assert.Contains("experiment on reverse: generalization_accuracy", output);
            Assert.Contains("Conclusions (from the numbers above):", output);
            Assert.Contains("no attention: test accuracy", output);
            using var log = RunLog.Open(runs);
            Assert.Equal(4 * 3, log.Query("SELECT * FROM runs WHERE status = 'finished' AND source = 'experiment.cs'").RowCount);
        }
        finally { Directory.Delete(runs, recursive: true); }
    }
}

[CollectionDefinition("notebooks", DisableParallelization = true)]
public sealed class NotebooksCollection;
