using System.Diagnostics;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

[Collection("session")]
public sealed class ScriptSessionTests(SessionFixture fixture)
{
    [Fact]
    public void State_carries_across_cells_and_the_last_expression_is_the_result()
    {
        Assert.Null(fixture.Run("var carried = 40;\nint AddTwo(int x) => x + 2;").Error);
        var output = fixture.Run("Console.WriteLine(\"hi\");\nAddTwo(carried)");
        Assert.Null(output.Error);
        Assert.Equal("hi\n", output.Stdout);
        Assert.Equal("42", output.ResultText);
        Assert.Null(fixture.Run("var nothing = 1;").ResultText);
    }

    [Fact]
    public void Project_libraries_are_referenced_and_imported()
    {
        var output = fixture.Run("typeof(Tensor).FullName + \" \" + typeof(MimeBundle).Name");
        Assert.Null(output.Error);
        Assert.Equal("ArchNotebooks.Torch.torch+Tensor MimeBundle", output.ResultText);
    }

    [Fact]
    public void Compile_errors_name_the_cell_line_and_column()
    {
        var output = fixture.Run("var fine = 1;\n\nfine + missingName");
        Assert.Equal("CompilationError", output.Error!.Name);
        Assert.Contains("(line 3, col 8): error CS0103", string.Join("\n", output.Error.Traceback));
        Assert.Single(output.Items);
    }

    [Fact]
    public void Runtime_errors_keep_earlier_variables_usable()
    {
        var output = fixture.Run("var survivor = 7;\nthrow new InvalidOperationException(\"boom\");");
        Assert.Equal("InvalidOperationException", output.Error!.Name);
        Assert.Contains("line 2", string.Join("\n", output.Error.Traceback));
        Assert.Equal("8", fixture.Run("survivor + 1").ResultText);
    }

    [Theory]
    [InlineData("while (true) { }")]
    [InlineData("do { } while (true);")]
    [InlineData("for (var i = 0; ; i++) { }")]
    [InlineData("foreach (var i in Forever()) { } IEnumerable<int> Forever() { while (true) yield return 1; }")]
    [InlineData("void Recurse() { while (true) Recurse2(); } void Recurse2() { for (;;) ; } Recurse();")]
    [InlineData("await Task.Run(() => { while (true) { } });")]
    [InlineData("class Spinner { public int Spin() { int n = 0; while (true) n++; } } new Spinner().Spin()")]
    [InlineData("static void SpinStatic() { while (true) { } } SpinStatic();")]
    public async Task Interrupt_stops_cpu_bound_loops_and_the_session_goes_on(string code)
    {
        fixture.Run("var beforeInterrupt = 41;");
        var run = Task.Run(() => fixture.Run(code));
        // The cell must have reached the session before the interrupt (a busy thread pool can delay it).
        var wait = Stopwatch.StartNew();
        while (!fixture.Session.Busy && !run.IsCompleted && wait.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(10);
        var clock = Stopwatch.StartNew();
        Thread.Sleep(400);
        Assert.False(run.IsCompleted);
        fixture.Session.Interrupt();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(finished == run, "the cell did not stop after the interrupt");
        Assert.Equal("KernelInterrupted", (await run).Error!.Name);
        Assert.Equal("42", fixture.Run("beforeInterrupt + 1").ResultText);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Interrupt_reaches_a_trainer_fit_called_from_csharp_without_a_token()
    {
        // Library types only, and an expression-bodied callback (the kernel writes interrupt checks into
        // block bodies only): no check written into cell code runs inside Fit, so only the library's own
        // view of the cell's interrupt can stop it.
        Assert.Null(fixture.Run("""
            var fitTask = new SetMaxTask(digits: 6, size: 3);
            manual_seed(0);
            var fitModel = new DeepSetsConfig(Hidden: 16).For(fitTask).Build();
            """).Error);
        var started = Path.Combine(Path.GetTempPath(), $"archnb-fit-started-{Guid.NewGuid():N}");
        var run = Task.Run(() => fixture.Run($$"""
            var fitResult = new Trainer(new TrainConfig { Steps = 10_000_000, EvalEvery = 0, BatchSize = 8 })
                .Subscribe(e => File.WriteAllText(@"{{started}}", e.Step.ToString()))
                .Fit(fitModel, fitTask);
            """));
        // Interrupt once training is under way (its fifth step has been reported).
        long Reported() { try { return long.Parse(File.ReadAllText(started)); } catch (Exception e) when (e is IOException or FormatException) { return 0; } }
        var wait = Stopwatch.StartNew();
        while (Reported() < 5 && !run.IsCompleted && wait.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(20);
        Assert.False(run.IsCompleted);
        fixture.Session.Interrupt();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == run, "Trainer.Fit did not stop after the interrupt");
        Assert.Equal("KernelInterrupted", (await run).Error!.Name);
        File.Delete(started);
        // Fit returned what it did: the cell's variables hold the partial result, and the model still computes.
        var result = fixture.Run("fitResult.Interrupted && fitResult.StepsCompleted == fitResult.LossHistory.Count && fitResult.StepsCompleted >= 5");
        Assert.Null(result.Error);
        Assert.Equal("true", result.ResultText);
        var forward = fixture.Run("fitModel.call(fitTask.Sample(4, 0).Input).isfinite().all().ToBoolean()");
        Assert.Null(forward.Error);
        Assert.Equal("true", forward.ResultText);
    }

    [Fact]
    public async Task An_interrupt_also_stops_cells_queued_behind_the_running_one_and_they_do_not_run()
    {
        // Run All, then interrupt: the looping cell stops, and the cell already queued behind it (it waits
        // for the session) ends as interrupted without running. A cell submitted after the interrupt runs.
        var looping = Task.Run(() => fixture.Run("while (true) { }"));
        var wait = Stopwatch.StartNew();
        while (!fixture.Session.Busy && wait.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(10);
        var submitted = fixture.Session.SubmittedCells;
        var queued = Task.Run(() => fixture.Run("var queuedCellRan = true;"));
        while (fixture.Session.SubmittedCells == submitted && wait.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(10);
        Thread.Sleep(100);
        Assert.False(queued.IsCompleted);
        fixture.Session.Interrupt();
        var both = Task.WhenAll(looping, queued);
        Assert.True(await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(10))) == both, "the cells did not end after the interrupt");
        Assert.Equal("KernelInterrupted", (await looping).Error!.Name);
        Assert.Equal("KernelInterrupted", (await queued).Error!.Name);
        var after = fixture.Run("queuedCellRan");
        Assert.Equal("CompilationError", after.Error!.Name);
        Assert.Contains("CS0103", string.Join("\n", after.Error.Traceback));
        Assert.Equal("2", fixture.Run("1 + 1").ResultText);
    }

    [Fact]
    public void Displays_and_updates_go_through_the_formatter_registry()
    {
        var output = fixture.Run("var h = display(HTML(\"<i>a</i>\"));\nh.Update(\"plain\");\n42.Display();");
        Assert.Null(output.Error);
        var kinds = output.Items.Select(i => i.Kind).ToList();
        Assert.Equal(["display", "update", "display"], kinds);
        var first = output.Displays.First();
        Assert.Equal("<i>a</i>", first.Data[MimeBundle.Html]);
        Assert.True(first.Contains(MimeBundle.PlainText));
    }

    private sealed record Celsius(double Degrees);

    [Fact]
    public void Registered_formatters_add_rich_mime_types_and_text_plain_is_always_present()
    {
        fixture.Session.Formatters.Register<Celsius>((c, bundle) => { bundle[MimeBundle.Html] = $"<b>{c.Degrees} °C</b>"; return true; });
        var bundle = fixture.Session.Formatters.Format(new Celsius(21.5));
        Assert.Equal("<b>21.5 °C</b>", bundle.Data[MimeBundle.Html]);
        Assert.Equal("Celsius { Degrees = 21.5 }", bundle.Data[MimeBundle.PlainText]);
        Assert.Equal("[1, 2, 3]", fixture.Session.Formatters.Format(new List<int> { 1, 2, 3 }).Data[MimeBundle.PlainText]);
        Assert.Equal("{\"a\": 1}", fixture.Session.Formatters.Format(new Dictionary<string, int> { ["a"] = 1 }).Data[MimeBundle.PlainText]);
    }

    [Fact]
    public void Magics_dispatch_by_name_and_extensions_can_register_their_own()
    {
        fixture.Session.Magics.Register("shout", "upper-cases its body", async (invocation, context) =>
        {
            context.Out.WriteLine(invocation.Body.Trim().ToUpperInvariant() + " " + invocation.Arguments);
            context.Display(await context.EvaluateAsync("6 * 7"));
        });
        var output = fixture.Run("#!shout loudly\nhello");
        Assert.Null(output.Error);
        Assert.Equal("HELLO loudly\n", output.Stdout);
        Assert.Equal("42", output.Displays.Single().Data[MimeBundle.PlainText]);
        Assert.Contains("#!shout", fixture.Run("#!lsmagic").Stdout);
        var timed = fixture.Run("#!time\nvar timedValue = 3;\ntimedValue * 2");
        Assert.Equal("6", timed.ResultText);
        Assert.Contains("Wall time:", timed.Stdout);
        Assert.Contains("timedValue", fixture.Run("#!who").Stdout);
        Assert.Equal("UnknownMagic", fixture.Run("#!nope").Error!.Name);
    }

    [Fact]
    public void Errors_below_a_magic_keep_the_cells_line_numbers()
    {
        var output = fixture.Run("#!time\nvar q = 1;\nq + undefinedAfterMagic");
        Assert.Contains("(line 3, col 5)", string.Join("\n", output.Error!.Traceback));
    }

    [Fact]
    public void Load_and_r_directives_resolve_files()
    {
        var dir = Directory.CreateTempSubdirectory("archnb-load-").FullName;
        File.WriteAllText(Path.Combine(dir, "helper.csx"), "int Triple(int x) => 3 * x;");
        var output = fixture.Run($"#load \"{Path.Combine(dir, "helper.csx")}\"\nTriple(5)");
        Assert.Null(output.Error);
        Assert.Equal("15", output.ResultText);
        var dll = typeof(Markdig.Markdown).Assembly.Location;
        output = fixture.Run($"#r \"{dll}\"\nMarkdig.Markdown.ToHtml(\"*x*\").Trim()");
        Assert.Null(output.Error);
        Assert.Equal("<p><em>x</em></p>", output.ResultText);
    }

    [Fact]
    public void R_of_a_netstandard_library_brings_the_netstandard_facade_along()
    {
        // Cells don't reference the netstandard facade by default (it slows every compile); a #r of an
        // assembly built against .NET Standard must still work. Newtonsoft.Json's netstandard2.0 build is
        // in the NuGet cache on every machine that restored this test project (the test SDK depends on it).
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var dll = Directory.EnumerateFiles(Path.Combine(packages, "newtonsoft.json"), "Newtonsoft.Json.dll", SearchOption.AllDirectories)
            .FirstOrDefault(p => p.Contains($"{Path.DirectorySeparatorChar}netstandard2.0{Path.DirectorySeparatorChar}"));
        Assert.True(dll is not null, $"no netstandard2.0 Newtonsoft.Json under {packages}");
        var output = fixture.Run($"#r \"{dll}\"\nNewtonsoft.Json.JsonConvert.SerializeObject(new {{ answer = 42 }})");
        Assert.Null(output.Error);
        Assert.Equal("{\"answer\":42}", output.ResultText);
    }

    [Fact]
    public async Task Console_ReadLine_asks_the_front_end()
    {
        var output = new RecordedCell();
        output.Input.Enqueue("typed");
        output.Error = await fixture.Session.ExecuteAsync("var got = Console.ReadLine();\ngot + \"!\"", output);
        Assert.Null(output.Error);
        Assert.Equal("typed!", output.ResultText);
        Assert.Equal("InvalidOperationException", fixture.Run("Console.ReadLine()").Error!.Name);
    }
}
