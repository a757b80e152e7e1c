namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>Every kind of mistake on a #!arch line: a clear message naming the closest valid word, no stack frames, nothing run.</summary>
[Collection("magics")]
public sealed class ErrorTests(MagicSession s)
{
    [Theory]
    [InlineData("#!arch trian m", "unknown subcommand 'trian'. Did you mean 'train'?")]
    [InlineData("#!arch --steps 3", "'--steps' is not a subcommand")]
    [InlineData("#!arch train m --step 3", "unknown option '--step'. Did you mean '--steps'?")]
    [InlineData("#!arch train m -steps 3", "unknown option '-steps'; options start with two dashes. Did you mean '--steps'?")]
    [InlineData("#!arch points transformer --foo", "#!arch points takes no options")]
    [InlineData("#!arch device --foo", "unknown option '--foo'.\nOptions of device: --threads")]
    [InlineData("#!arch device --threads 0", "bad value for --threads: must be at least 1, got 0")]
    [InlineData("#!arch train m --steps abc", "bad value for --steps: expected a whole number, got 'abc'")]
    [InlineData("#!arch train m --steps 0", "bad value for --steps: must be at least 1, got 0")]
    [InlineData("#!arch train m --lr -1", "bad value for --lr: must be positive, got -1")]
    [InlineData("#!arch train m --lr fast", "bad value for --lr: expected a number such as 0.001 or 3e-3, got 'fast'")]
    [InlineData("#!arch train m --steps", "--steps needs a value: --steps <n>")]
    [InlineData("#!arch train m --steps 3 --steps 4", "--steps is given twice")]
    [InlineData("#!arch train m --no-log=yes", "--no-log is a flag and takes no value")]
    [InlineData("#!arch train m --task cpy", "unknown task 'cpy'. Did you mean 'copy'?")]
    [InlineData("#!arch train m --task-config lenght=3", "task copy has no setting 'lenght'. Did you mean 'length'?")]
    [InlineData("#!arch train m --task-config length=x", "copy length: expected a whole number, got 'x'")]
    [InlineData("#!arch train m --task parity", "build a model for this task: #!arch model <family> --name m --task parity")]
    [InlineData("#!arch train", "#!arch train: missing <model>")]
    [InlineData("#!arch train m extra", "unexpected argument 'extra'")]
    [InlineData("#!arch train nosuch", "there is no variable 'nosuch'")]
    [InlineData("#!arch train mm", "there is no variable 'mm'. Did you mean 'm'?")]
    [InlineData("#!arch train notAModel", "'notAModel' holds a Int32, not a model (a Module<Tensor, Tensor>)")]
    [InlineData("#!arch summary nullModel", "'nullModel' holds null, not a model")]
    [InlineData("#!arch ablate handmadeLayer --task copy --all", "without a config")]
    [InlineData("#!arch model transfomer", "unknown family 'transfomer'. Did you mean 'transformer'?")]
    [InlineData("#!arch model transformer --config dimm=32", "TransformerConfig has no field 'dimm'. Did you mean 'Dim'?")]
    [InlineData("#!arch model transformer --config dim=wide", "--config: Dim: expected a whole number, got 'wide'")]
    [InlineData("#!arch model transformer --config norm=batch", "'batch' is not one of LayerNorm, RMSNorm, None")]
    [InlineData("#!arch model transformer --config dim", "expected key=value pairs separated by commas")]
    [InlineData("#!arch model transformer --config dim=30,heads=4", "this config cannot be built")]
    [InlineData("#!arch model memory --task setsum", "memory cannot be shaped for task setsum")]
    [InlineData("#!arch model transformer --name 2fast", "--name '2fast' is not a C# variable name")]
    [InlineData("#!arch model transformer --name class", "--name 'class' is not a C# variable name")]
    [InlineData("#!arch model transformer --device tpu", "--device: unknown device 'tpu'")]
    [InlineData("#!arch model transformer --name \"unclosed", "a double quote is not closed")]
    [InlineData("#!arch ablate m --remove attn", "m's config has no ablation point 'attn'. Did you mean 'attention'?")]
    [InlineData("#!arch ablate m --remove pooling", "Pooling (Mean) is not something to remove; swap it instead: --swap pooling=<Max|First>")]
    [InlineData("#!arch ablate m --swap norm=batch", "'batch' is not one of LayerNorm, RMSNorm, None")]
    [InlineData("#!arch ablate m --swap norm=layernorm", "Norm is already LayerNorm in m's config")]
    [InlineData("#!arch ablate m", "nothing to ablate; give --remove, --swap or --all")]
    [InlineData("#!arch ablate m --remove ffn --metric accuracy", "'accuracy' is not a metric of copy")]
    [InlineData("#!arch ablate m --remove ffn --metric generalization_accuracy --task modadd", "modadd has no generalization split")]
    [InlineData("#!arch scale transformer --task copy", "--sizes is required")]
    [InlineData("#!arch scale transformer --task copy --sizes 16", "bad value for --sizes: needs at least 2 comma-separated sizes")]
    [InlineData("#!arch scale transformer --task copy --sizes 16,32 --field norm", "--field Norm is not a size")]
    [InlineData("#!arch scale transformer --sizes 16,32", "which task? Give --task <task>")]
    [InlineData("#!arch attention m --input \"a b\"", "'a' is not a token id")]
    [InlineData("#!arch attention m --input \"1 99\"", "token 99 is outside m's vocabulary (ids 0..5)")]
    [InlineData("#!arch attention m --input \"1 2\" --labels a", "1 labels for 2 tokens")]
    [InlineData("#!arch summary m --input-shape 1,x", "bad value for --input-shape: expected positive sizes")]
    [InlineData("#!arch compare onlyone", "give at least two runs to compare (got 1)")]
    [InlineData("#!arch runs --last 0", "bad value for --last: must be at least 1, got 0")]
    [InlineData("#!arch ablate m --remove ffn --partition gpu", "--partition applies only with --submit slurm; without --submit the study trains here")]
    [InlineData("#!arch ablate m --remove ffn --submit pbs", "bad value for --submit: 'pbs'; archnb submits to slurm")]
    [InlineData("#!arch ablate m --remove ffn --submit slurm --no-log", "--submit with --no-log: a submitted study's shards record into the run log")]
    [InlineData("#!arch scale transformer --task copy --sizes 8,16 --submit slurm --result fit", "bind it then with #!arch study transformer-scaling --result fit")]
    [InlineData("#!arch ablate m --remove ffn --submit slurm --time soon", "bad value for --time: 'soon'")]
    [InlineData("#!arch ablate m --remove ffn --submit slurm --sbatch \"--account=lab --array=1-3\"", "--sbatch --array=1-3: archnb sets the array itself")]
    [InlineData("#!arch ablate m --remove ffn --submit slurm --tune-lr 1e-3..1e-2", "--submit with --tune-lr")]
    [InlineData("#!arch study big --time 10", "--time applies only with --resubmit")]
    [InlineData("#!arch train m --task copy --task-config symbols=20", "m's token embedding has 6 ids (0..5) but copy(symbols=20) uses a vocabulary of 22")]
    [InlineData("#!arch model deepsets --name d --task copy", "deepsets built for copy cannot read copy inputs (Int64 [2, 17])")]
    [InlineData("#!arch model video --name v --task copy", "video cannot be shaped for task copy (inputs Int64 [17] per example, 10 classes)")]
    public void Mistakes_name_what_is_wrong_and_run_nothing(string line, string expected)
    {
        s.Run("var notAModel = 42;\nArchNotebooks.Library.Modules.Module<Tensor, Tensor>? nullModel = null;\nvar handmadeLayer = new ArchNotebooks.Library.Layers.Linear(2, 2);");
        var r = s.Run(line + "\nConsole.WriteLine(\"body ran\");");
        Assert.NotNull(r.Error);
        Assert.Equal("ArchUsageException", r.Error!.Name);
        Assert.Contains(expected, r.Error.Value);
        Assert.DoesNotContain("   at ", string.Join("\n", r.Error.Traceback));   // our frames are noise to the user
        Assert.DoesNotContain("body ran", r.Stdout);
        Assert.Empty(r.Displays);
    }

    [Theory]
    [InlineData("#!arch model video --name v --task copy", "video cannot be shaped for task copy (inputs Int64 [17] per example, 10 classes): " +
        "the video family reads clips (frames, channels, height, width) per example, but task 'copy' gives Int64 [17]")]
    [InlineData("#!arch model c4 --name c --task setsum", "c4 cannot be shaped for task setsum (inputs Float32 [4, 5] per example, 33 classes): " +
        "the group-convolution network reads images (channels, height, width) per example, but task 'set-sum' gives Float32 [4, 5]")]
    [InlineData("#!arch model pixels --name p --task copy", "pixels cannot be shaped for task copy (inputs Int64 [17] per example, 10 classes): " +
        "PixelConfig.For(task) read a dimension these 1-dimensional examples lack: pixels was written for inputs of another shape")]
    public void A_family_task_mismatch_names_what_the_family_reads_and_what_the_task_gives(string line, string expected)
    {
        // A registered family whose For indexes the image dimensions it expects, as a researcher's first draft would.
        s.Run("""
            public sealed record PixelConfig(long Channels = 1, long Side = 8) : IModelConfig
            {
                public ArchNotebooks.Library.Modules.Module<Tensor, Tensor> Build() => new ArchNotebooks.Library.Layers.Linear(Channels * Side * Side, 2);
                public IModelConfig For(ISyntheticTask task) => this with { Channels = task.InputShape()[0], Side = task.InputShape()[2] };
            }
            Families.Register("pixels", new PixelConfig());
            """);
        var r = s.Run(line);
        Assert.Equal("ArchUsageException", r.Error?.Name);
        Assert.True(r.Error!.Value.Contains(expected), r.Error.Value);
        Assert.DoesNotContain("outside the bounds", r.Error.Value);   // the inner exception's words say nothing about shapes
    }

    [Fact]
    public void A_mistake_on_a_later_line_stops_the_cell_before_the_first_line_runs()
    {
        var r = s.Run("#!arch model transformer --name halfway --task copy\n#!arch train halfway --steps nope\nvar after = 1;");
        Assert.Contains("bad value for --steps", r.Error!.Value);
        Assert.Contains("#!arch line 2 of this cell; nothing ran", r.Error.Value);
        Assert.Empty(r.Displays);
        Assert.Equal("CompilationError", s.Run("halfway").Error!.Name);
        Assert.Equal("CompilationError", s.Run("after").Error!.Name);
    }

    [Fact]
    public void Later_lines_may_use_the_variables_earlier_lines_will_bind()
    {
        var r = s.Run("#!arch model transformer --name planned --task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2\n#!arch train planned --steps 2 --eval-every 0 --no-log");
        Assert.Null(r.Error);
        Assert.Contains("planned on copy(symbols=4,length=3): Completed after 2/2 steps", r.Text);
        Assert.Contains("; not logged", r.Text);
    }
}
