using System.Text.Json;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Training;

/// <summary>Checkpoints: saved on an interval, at the end and at the best evaluation; resuming continues the very same run.</summary>
public sealed class CheckpointTests : IDisposable
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);
    readonly DirectoryInfo root = Directory.CreateTempSubdirectory("archnb-checkpoints-");

    public void Dispose() => root.Delete(recursive: true);

    /// <summary>An MLP with dropout, so the run draws random numbers every step that a resume must reproduce.</summary>
    sealed class DropoutMlp : Module<Tensor, Tensor>
    {
        readonly Linear hidden, output;
        readonly Dropout dropout;

        public DropoutMlp(long seed)
        {
            manual_seed(seed);
            hidden = register_module("hidden", new Linear(MaxTask.InputShape().Aggregate(1L, (a, b) => a * b) * (MaxTask.VocabSize ?? 1), 32));
            dropout = register_module("dropout", new Dropout(0.3));
            output = register_module("output", new Linear(32, MaxTask.NumClasses));
        }

        public override Tensor forward(Tensor x)
        {
            var features = (MaxTask.VocabSize is { } v ? one_hot(x, v).to(ScalarType.Float32) : x).flatten(1);
            return output.call(dropout.call(hidden.call(features).relu()));
        }
    }

    static TrainConfig Recipe(OptimizerKind optimizer) => new()
    {
        Steps = 30, BatchSize = 32, EvalEvery = 10, EvalBatches = 1, EvalBatchSize = 64, Seed = 5, WarmupSteps = 4,
        Optimizer = optimizer, Schedule = Decay.Exponential, DecayGamma = 0.97,
        LearningRate = optimizer switch { OptimizerKind.Lion => 1e-3, OptimizerKind.SGD or OptimizerKind.Shampoo => 0.05, _ => 3e-3 },
        PreconditionerUpdateEvery = 4, PreconditionerBlockSize = 16, Nesterov = optimizer == OptimizerKind.SGD,
    };

    static float[][] Weights(Module m) => m.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.data<float>()).ToArray();

    static IEnumerable<(long, string)> Evaluations(TrainingResult r) =>
        r.EvalHistory.Select(e => (e.Step, string.Join(", ", e.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value:R}"))));

    public static TheoryData<OptimizerKind> Optimizers => new(Enum.GetValues<OptimizerKind>());

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Interrupted_then_resumed_training_equals_uninterrupted_training_bit_for_bit(OptimizerKind optimizer)
    {
        var config = Recipe(optimizer);
        using var straight = new DropoutMlp(seed: 1);
        var whole = new Trainer(config) { Checkpoints = new CheckpointPolicy(Path.Combine(root.FullName, "whole")) { Every = 10 } }
            .Fit(straight, MaxTask);
        Assert.Equal(StopReason.Completed, whole.Reason);

        // The same run, interrupted after step 17; its final checkpoint is where it stopped.
        var dir = Path.Combine(root.FullName, "interrupted");
        using var cts = new CancellationTokenSource();
        using (var first = new DropoutMlp(seed: 1))
        {
            var cut = new Trainer(config) { Checkpoints = new CheckpointPolicy(dir) { Every = 10 } }
                .Subscribe(e => { if (e is StepEvent { Step: 17 }) cts.Cancel(); })
                .Fit(first, MaxTask, cts.Token);
            Assert.Equal(StopReason.Interrupted, cut.Reason);
            Assert.Equal(17, cut.StepsCompleted);
        }
        Assert.Equal(17, Checkpoint.Read(dir).Step);   // the directory's latest: final (17), not step-00000010

        // A fresh process's view: a model built from another seed, so nothing but the checkpoint carries the state.
        using var resumedModel = new DropoutMlp(seed: 99);
        var resumed = new Trainer(config).Resume(resumedModel, MaxTask, dir);
        Assert.Equal(StopReason.Completed, resumed.Reason);
        Assert.Equal(whole.LossHistory, resumed.LossHistory);
        Assert.Equal(Evaluations(whole), Evaluations(resumed));
        Assert.Equal(Weights(straight), Weights(resumedModel));

        // Resuming the uninterrupted run's interval checkpoint gives the same end too.
        using var fromTwenty = new DropoutMlp(seed: 7);
        new Trainer(config).Resume(fromTwenty, MaxTask, Path.Combine(root.FullName, "whole", "step-00000020.json"));
        Assert.Equal(Weights(straight), Weights(fromTwenty));
    }

    [Fact]
    public void Dropout_draws_differ_between_steps_so_the_resume_test_tests_the_random_state()
    {
        // Without per-step reseeding a resumed run would draw the masks of step 0 again; check the masks really
        // differ from step to step (a dropout that drew the same mask every step would make the test above vacuous).
        var config = Recipe(OptimizerKind.AdamW) with { Steps = 10, EvalEvery = 0 };
        using var a = new DropoutMlp(seed: 1);
        var withDropout = new Trainer(config).Fit(a, MaxTask);
        using var b = new DropoutMlp(seed: 1);
        var without = new Trainer(config with { Dropout = 0.0 }).Fit(b, MaxTask);
        Assert.NotEqual(withDropout.LossHistory, without.LossHistory);
        Assert.Equal(0.3, b.modules().OfType<Dropout>().Single().P);   // the override ends with the run
    }

    [Fact]
    public void Checkpoint_files_are_readable_from_python()
    {
        var dir = Path.Combine(root.FullName, "python");
        using var model = new DropoutMlp(seed: 1);
        new Trainer(Recipe(OptimizerKind.AdamW) with { Steps = 12 }) { Checkpoints = new CheckpointPolicy(dir) { Every = 5 } }.Fit(model, MaxTask);
        Assert.Equal(new[] { "final.json", "final.safetensors", "step-00000005.json", "step-00000005.safetensors", "step-00000010.json", "step-00000010.safetensors" },
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var printed = Python.Run([RepositoryRoot.In("tests", "Library.Tests", "reference", "read_checkpoint.py"), Path.Combine(dir, "final.json")]);
        using var doc = JsonDocument.Parse(printed);
        var r = doc.RootElement;
        Assert.Equal(12, r.GetProperty("step").GetInt64());
        Assert.Equal(12, r.GetProperty("losses").GetInt32());
        var tensors = r.GetProperty("tensors");
        using var scope = NewDisposeScope();
        var saved = Safetensors.Load(Path.Combine(dir, "final.safetensors"));
        Assert.Equal(saved.Keys.Order(StringComparer.Ordinal), tensors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var (name, t) in model.state_dict())
        {
            var entry = tensors.GetProperty("model." + name);
            Assert.Equal(t.shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(t.to(ScalarType.Float64).sum().ToDouble(), entry.GetProperty("sum").GetDouble(), 6);
        }
        Assert.Equal("F64", tensors.GetProperty("scheduler.base_lrs").GetProperty("dtype").GetString());
        Assert.Equal(12, (long)tensors.GetProperty("optimizer.state.0.step").GetProperty("sum").GetDouble());
    }

    [Fact]
    public void The_best_checkpoint_follows_early_stopping_and_can_end_the_run()
    {
        var dir = Path.Combine(root.FullName, "best");
        var config = Recipe(OptimizerKind.AdamW) with
        {
            Steps = 60, EvalEvery = 5, Schedule = Decay.Constant, LearningRate = 3e-2,
            EarlyStopping = new EarlyStopping { Patience = 100 },   // the default metric: the held-out loss
        };
        using var model = new DropoutMlp(seed: 1);
        var saved = new List<CheckpointSaved>();
        var result = new Trainer(config) { Checkpoints = new CheckpointPolicy(dir) { Best = true, LoadBestAtEnd = true } }
            .Subscribe(e => { if (e is CheckpointSaved c) saved.Add(c); }).Fit(model, MaxTask);
        var best = Checkpoint.Read(Path.Combine(dir, "best.json"));
        Assert.Equal(result.BestStep, best.Step);
        Assert.Equal(best.Step, saved.Where(c => c.Name == "best").Last().Step);
        Assert.Equal("final", saved[^1].Name);
        using var scope = NewDisposeScope();
        var tensors = Safetensors.Load(best.TensorsPath);
        foreach (var (name, t) in model.state_dict())
            Assert.Equal(tensors["model." + name].data<float>(), t.data<float>());
    }

    [Fact]
    public void Resuming_with_another_recipe_or_from_nothing_is_refused_with_the_reason()
    {
        var dir = Path.Combine(root.FullName, "refuse");
        using var model = new DropoutMlp(seed: 1);
        var config = Recipe(OptimizerKind.AdamW) with { Steps = 5, EvalEvery = 0 };
        new Trainer(config) { Checkpoints = new CheckpointPolicy(dir) }.Fit(model, MaxTask);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(config with { Optimizer = OptimizerKind.Lion, Steps = 10 }).Resume(model, MaxTask, dir));
        Assert.Contains("optimizer", e.Message);
        Assert.Contains("seed", Assert.Throws<ArgumentException>(() => new Trainer(config with { Seed = 6 }).Resume(model, MaxTask, dir)).Message);
        // More steps than the checkpoint's is a longer run of the same recipe: allowed.
        Assert.Equal(10, new Trainer(config with { Steps = 10 }).Resume(model, MaxTask, dir).StepsCompleted);
        Assert.Throws<FileNotFoundException>(() => new Trainer(config).Resume(model, MaxTask, Path.Combine(root.FullName, "nothing-here")));
        File.WriteAllText(Path.Combine(root.FullName, "bogus.json"), "{\"format\": \"other\"}");
        Assert.Contains("not a checkpoint", Assert.Throws<InvalidDataException>(() => new Trainer(config).Resume(model, MaxTask, Path.Combine(root.FullName, "bogus.json"))).Message);
    }
}
