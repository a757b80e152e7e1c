using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Notebooks;
using ArchNotebooks.Kernel.Reports;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

public sealed class NotebookTests
{
    [Theory]
    [InlineData("3", "3")]
    [InlineData("-2", "-2")]
    [InlineData("10000000000", "10000000000L")]
    [InlineData("0.5", "0.5")]
    [InlineData("1e-3", "0.001")]
    [InlineData("true", "true")]
    [InlineData("baseline", "\"baseline\"")]
    [InlineData("a \"quoted\"\nline", "\"a \\\"quoted\\\"\\nline\"")]
    public void Parameter_values_become_csharp_literals(string value, string literal) =>
        Assert.Equal(literal, Parameters.Literal(value));

    [Fact]
    public void Parameters_go_right_after_the_parameters_cell()
    {
        var notebook = NotebookDocument.Load(Path.Combine(Repo.NotebooksDir, "smoke.ipynb"));
        Parameters.Inject(notebook, [("steps", "7")]);
        var cells = notebook.Cells;
        int index = cells.ToList().FindIndex(c => c.Tags.Contains("parameters"));
        Assert.Contains("injected-parameters", cells[index + 1].Tags);
        Assert.Contains("var steps = 7;", cells[index + 1].Source);
        Assert.Throws<ArgumentException>(() => Parameters.Inject(notebook, [("not valid", "1")]));
    }

    [Fact]
    public void Dib_files_split_into_markdown_and_csharp_cells()
    {
        var notebook = DibFormat.Parse("#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"name\":\"csharp\",\"aliases\":[\"cs\"]}]}}\n\n#!markdown\n\n# Title\n\n#!cs\n\n#!time\nvar x = 1;\n\n#!csharp\n\nx\n");
        var cells = notebook.Cells;
        Assert.Equal(["markdown", "code", "code"], cells.Select(c => c.CellType));
        Assert.Equal("# Title", cells[0].Source);
        Assert.Equal("#!time\nvar x = 1;", cells[1].Source);
        Assert.Equal("x", cells[2].Source);
        Assert.NotNull(notebook.Metadata["polyglot_notebook"]);
    }

    [Fact]
    public void The_report_escapes_every_notebook_string_and_inlines_plotly_once()
    {
        var notebook = new NotebookDocument(new JsonObject());
        notebook.CellsJson.Add(NotebookDocument.NewCell("markdown", "# <img src=x onerror=alert(1)> title").Json);
        var code = NotebookDocument.NewCell("code", "var s = \"</pre><script>alert(2)</script>\";");
        code.ExecutionCount = 1;
        code.Outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = "<b>not bold</b>\n" });
        code.Outputs.Add(new JsonObject { ["output_type"] = "error", ["ename"] = "E", ["evalue"] = "v", ["traceback"] = new JsonArray("\u001b[0;31mE\u001b[0m: <script>") });
        var figure = new JsonObject { ["data"] = new JsonArray(), ["layout"] = new JsonObject { ["title"] = "</script><script>alert(3)</script>" } };
        for (int i = 0; i < 2; i++)
            code.Outputs.Add(new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["application/vnd.plotly.v1+json"] = figure.DeepClone(), ["text/plain"] = "fig" } });
        notebook.CellsJson.Add(code.Json);
        var html = HtmlReport.Render(notebook, new ReportInfo("<title>", DateTimeOffset.UnixEpoch, null, [("name", "<v>")]), "/*PLOTLY*/");
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<b>not bold</b>", html);
        Assert.False(html.Contains('\u001b'), "ANSI escapes must be stripped");
        Assert.Contains("&lt;title&gt;", html);
        Assert.Equal(1, html.Split("/*PLOTLY*/").Length - 1);
        Assert.Equal(2, html.Split("Plotly.newPlot(").Length - 1);
    }

    [Fact]
    public void Archnb_run_executes_with_parameters_and_writes_notebook_and_report()
    {
        var dir = Directory.CreateTempSubdirectory("archnb-run-").FullName;
        var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "run", Path.Combine(Repo.NotebooksDir, "smoke.ipynb"),
            "-p", "steps", "4", "-p", "label", "ablation <b>", "--out", Path.Combine(dir, "out.ipynb"), "--html", Path.Combine(dir, "out.html"), "--timeout", "60"], timeoutSeconds: 120);
        Assert.True(exit == 0, output);
        var executed = NotebookDocument.Load(Path.Combine(dir, "out.ipynb"));
        var stdout = executed.Cells.Where(c => c.IsCode).SelectMany(c => c.Outputs).OfType<JsonObject>().Where(o => (string?)o["name"] == "stdout")
            .Select(o => string.Concat(o["text"]!.AsArray().Select(l => (string?)l)));
        Assert.Contains("ablation <b>: 4 steps\n", stdout);
        var html = File.ReadAllText(Path.Combine(dir, "out.html"));
        Assert.Contains("ablation &lt;b&gt;", html);
        Assert.Contains("Plotly.newPlot(", html);
        var (validated, why) = ChildProcess.Run(Python.Interpreter, ["-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], 4))", Path.Combine(dir, "out.ipynb")]);
        Assert.True(validated == 0, why);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Archnb_run_reports_the_failing_cell_and_times_out_endless_cells()
    {
        var dir = Directory.CreateTempSubdirectory("archnb-run-").FullName;
        File.WriteAllText(Path.Combine(dir, "bad.dib"), "#!csharp\n\nvar a = 1;\n\n#!csharp\n\nwhile (true) { }\n\n#!csharp\n\na\n");
        var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "run", Path.Combine(dir, "bad.dib"), "--timeout", "1", "--out", Path.Combine(dir, "bad.ipynb")], timeoutSeconds: 60);
        Assert.Equal(1, exit);
        Assert.Contains("cell [2] failed", output);
        Assert.Contains("CellTimeoutError", output);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Archnb_script_runs_csx_files_with_arguments()
    {
        var dir = Directory.CreateTempSubdirectory("archnb-script-").FullName;
        File.WriteAllText(Path.Combine(dir, "hello.csx"), "#!/usr/bin/env archnb\nConsole.WriteLine($\"hello {string.Join(\"+\", Args)}\");\nArgs.Length");
        var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "script", Path.Combine(dir, "hello.csx"), "a", "b"], timeoutSeconds: 60);
        Assert.True(exit == 0, output);
        Assert.Contains("hello a+b", output);
        Assert.Contains("2", output);
        File.WriteAllText(Path.Combine(dir, "fail.csx"), "throw new Exception(\"script failed\");");
        (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "script", Path.Combine(dir, "fail.csx")], timeoutSeconds: 60);
        Assert.Equal(1, exit);
        Assert.Contains("script failed", output);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Kernel_install_writes_a_kernelspec_with_message_interrupts()
    {
        var prefix = Directory.CreateTempSubdirectory("archnb-install-").FullName;
        var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "kernel", "install", "--prefix", prefix], timeoutSeconds: 60);
        Assert.True(exit == 0, output);
        var dir = Path.Combine(prefix, "share", "jupyter", "kernels", "archnb");
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json")))!;
        Assert.Equal("message", (string?)spec["interrupt_mode"]);
        Assert.Equal("C# (ArchNotebooks)", (string?)spec["display_name"]);
        Assert.Contains("{connection_file}", spec["argv"]!.AsArray().Select(a => (string?)a));
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(Path.Combine(dir, "logo-64x64.png")).Take(4));
        Directory.Delete(prefix, recursive: true);
    }
}
