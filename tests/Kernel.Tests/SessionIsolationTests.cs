using System.Diagnostics;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>Two sessions in one process, side by side: nothing of one (formatters, magics, variables, output, interrupts) reaches the other.</summary>
public sealed class SessionIsolationTests : IDisposable
{
    private readonly ScriptSession _a = new(Path.GetTempPath());
    private readonly ScriptSession _b = new(Path.GetTempPath());

    public void Dispose() { _a.Dispose(); _b.Dispose(); }

    private static RecordedCell Run(ScriptSession session, string code)
    {
        var output = new RecordedCell();
        output.Error = session.ExecuteAsync(code, output).GetAwaiter().GetResult();
        return output;
    }

    [Fact]
    public void Formatters_magics_and_variables_belong_to_one_session()
    {
        _a.Formatters.Register<Uri>((uri, bundle) => { bundle[MimeBundle.Html] = $"<a href=\"{uri}\">link</a>"; return true; });
        _b.Magics.Register("onlyb", "a magic only session b has", (_, context) => { context.Out.WriteLine("b's magic ran"); return Task.CompletedTask; });

        var shownInA = Run(_a, "display(new Uri(\"https://example.org/\"));").Displays.Single();
        var shownInB = Run(_b, "display(new Uri(\"https://example.org/\"));").Displays.Single();
        Assert.Equal("<a href=\"https://example.org/\">link</a>", shownInA.Data[MimeBundle.Html]);
        Assert.False(shownInB.Contains(MimeBundle.Html));

        Assert.Equal("b's magic ran\n", Run(_b, "#!onlyb").Stdout);
        Assert.Equal("UnknownMagic", Run(_a, "#!onlyb").Error!.Name);
        // Both loaded the extensions, each into its own registries.
        Assert.True(_a.Magics.TryGet("arch", out var archA) && _b.Magics.TryGet("arch", out var archB) && archA != archB);

        Assert.Null(Run(_a, "var onlyInA = 1;").Error);
        Assert.Contains("CS0103", Run(_b, "onlyInA").Error!.Value);
    }

    [Fact]
    public async Task Output_from_cells_running_at_once_stays_with_its_session()
    {
        static string Cell(string name) =>
            $"for (int i = 0; i < 20; i++) {{ Console.WriteLine(\"{name}\"); await Task.Delay(2); }}\n" +
            $"await Task.Run(() => Notebook.Display(\"{name}'s task\"));\n\"{name} done\"";
        var a = Task.Run(() => Run(_a, Cell("a")));
        var b = Task.Run(() => Run(_b, Cell("b")));
        var (outA, outB) = (await a, await b);
        Assert.Null(outA.Error);
        Assert.Null(outB.Error);
        Assert.Equal(string.Concat(Enumerable.Repeat("a\n", 20)), outA.Stdout);
        Assert.Equal(string.Concat(Enumerable.Repeat("b\n", 20)), outB.Stdout);
        Assert.Equal("a's task", outA.Displays.Single().Data[MimeBundle.PlainText]);
        Assert.Equal("b's task", outB.Displays.Single().Data[MimeBundle.PlainText]);
        Assert.Equal("a done", outA.ResultText);
        Assert.Equal("b done", outB.ResultText);
    }

    [Fact]
    public async Task Interrupting_one_session_leaves_the_other_running()
    {
        // A class declared in a cell cannot see the script's globals: its interrupt checks find the session through the cell's flow.
        const string spin = "class Spinner { public int Spin() { int n = 0; while (true) n++; } }\nnew Spinner().Spin()";
        var a = Task.Run(() => Run(_a, spin));
        var b = Task.Run(() => Run(_b, spin));
        var clock = Stopwatch.StartNew();
        while (!(_a.Busy && _b.Busy) && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
        await Task.Delay(300);

        _a.Interrupt();
        Assert.True(await Task.WhenAny(a, Task.Delay(TimeSpan.FromSeconds(10))) == a, "session a did not stop");
        Assert.Equal("KernelInterrupted", (await a).Error!.Name);
        await Task.Delay(300);
        Assert.False(b.IsCompleted, "interrupting session a stopped session b");

        _b.Interrupt();
        Assert.True(await Task.WhenAny(b, Task.Delay(TimeSpan.FromSeconds(10))) == b, "session b did not stop");
        Assert.Equal("KernelInterrupted", (await b).Error!.Name);
        Assert.Equal("2", Run(_a, "1 + 1").ResultText);
    }

    [Fact]
    public void A_magic_binds_a_typed_variable_in_its_own_session()
    {
        _a.Magics.Register("bindbuilder", "binds a StringBuilder, then runs the cell", async (_, context) =>
        {
            await context.BindAsync("bound", new System.Text.StringBuilder("from the magic"));
            await context.RunBodyAsync();
        });
        var output = Run(_a, "#!bindbuilder\nbound.Append('!').ToString()");
        Assert.Null(output.Error);
        Assert.Equal("from the magic!", output.ResultText);
        Assert.Equal("System.Text.StringBuilder", _a.Variables.Single(v => v.Name == "bound").Type.FullName);
        Assert.Contains("CS0103", Run(_b, "bound").Error!.Value);
    }
}
