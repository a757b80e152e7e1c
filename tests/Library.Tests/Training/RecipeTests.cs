using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Training;

/// <summary>The training recipe: each optimizer and schedule through the Trainer, the logged recipe, dropout override, divergence.</summary>
public class RecipeTests
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);
    static readonly TrainConfig Quick = new() { Steps = 150, BatchSize = 64, EvalEvery = 0, EvalBatchSize = 128, Seed = 1 };

    static TaskMlp NewModel(long seed = 0)
    {
        manual_seed(seed);
        return new TaskMlp(MaxTask, 64);
    }

    public static TheoryData<OptimizerKind, double> LearningRates => new()
    {
        { OptimizerKind.AdamW, 3e-3 }, { OptimizerKind.Adam, 3e-3 }, { OptimizerKind.SGD, 0.1 }, { OptimizerKind.Lion, 3e-3 }, { OptimizerKind.Shampoo, 0.05 },
    };

    [Theory]
    [MemberData(nameof(LearningRates))]
    public void Each_optimizer_of_the_recipe_learns_the_task(OptimizerKind optimizer, double lr)
    {
        using var model = NewModel();
        var result = new Trainer(Quick with { Optimizer = optimizer, LearningRate = lr }).Fit(model, MaxTask);
        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.True(result.Metric("test_accuracy") > 0.8, $"{optimizer}: {result}");
    }

    [Fact]
    public void The_recipe_builds_the_named_optimizer_with_undecayed_biases()
    {
        using var model = NewModel();
        var ps = model.parameters().ToArray();
        foreach (var (kind, type) in new[] { (OptimizerKind.AdamW, typeof(AdamW)), (OptimizerKind.Adam, typeof(Adam)), (OptimizerKind.SGD, typeof(SGD)),
                     (OptimizerKind.Lion, typeof(Lion)), (OptimizerKind.Shampoo, typeof(Shampoo)) })
        {
            using var opt = TrainingRecipe.CreateOptimizer(ps, Quick with { Optimizer = kind, WeightDecay = 0.1 });
            Assert.IsType(type, opt);
            Assert.Equal(new[] { 0.1, 0.0 }, opt.param_groups.Select(g => g.weight_decay));
            Assert.All(opt.param_groups[1].parameters, p => Assert.Equal(1, p.dim()));
        }
        using var sgd = (SGD)TrainingRecipe.CreateOptimizer(ps, Quick with { Optimizer = OptimizerKind.SGD, Momentum = 0.8, Nesterov = true });
        Assert.True(sgd.groups_typed[0].nesterov);
        Assert.Equal(0.8, sgd.groups_typed[0].momentum);
        using var shampoo = (Shampoo)TrainingRecipe.CreateOptimizer(ps, Quick with { Optimizer = OptimizerKind.Shampoo, PreconditionerUpdateEvery = 7, PreconditionerBlockSize = 32 });
        Assert.Equal((7, 32), (shampoo.groups_typed[0].update_freq, shampoo.groups_typed[0].block_size));
    }

    [Fact]
    public void The_logged_recipe_names_what_the_run_used_and_nothing_else()
    {
        var lion = TrainingRecipe.Of(Quick with { Optimizer = OptimizerKind.Lion, Schedule = Decay.Step, DecayStepSize = 20, Dropout = 0.1 });
        Assert.Equal("lion", lion["optimizer"]);
        Assert.Equal("step", lion["schedule"]);
        Assert.Equal(20, lion["decay_step_size"]);
        Assert.Equal(0.1, lion["dropout"]);
        Assert.False(lion.ContainsKey("eps"));        // Lion has none
        Assert.False(lion.ContainsKey("momentum"));
        var adamw = TrainingRecipe.Of(Quick);
        Assert.Equal("cosine", adamw["schedule"]);   // the older CosineDecay default
        Assert.False(adamw.ContainsKey("decay_gamma"));
        Assert.Equal("constant", TrainingRecipe.Of(Quick with { CosineDecay = false })["schedule"]);
        foreach (var key in new[] { "lr", "weight_decay", "label_smoothing", "clip_grad_norm", "loss", "batch_size", "steps", "warmup_steps" })
            Assert.True(adamw.ContainsKey(key), key);
    }

    public static TheoryData<Decay> Decays => new(Enum.GetValues<Decay>());

    [Theory]
    [MemberData(nameof(Decays))]
    public void The_trainer_follows_each_schedule(Decay decay)
    {
        var config = Quick with { Steps = 30, WarmupSteps = 5, Schedule = decay, MinLearningRate = 1e-4, DecayGamma = 0.9, DecayStepSize = 7, LearningRate = 1e-2 };
        var lrs = new List<double>();
        using var model = NewModel();
        new Trainer(config).Subscribe(e => { if (e is StepEvent s) lrs.Add(s.LearningRate); }).Fit(model, MaxTask);
        var expected = Enumerable.Range(0, 30).Select(s => Schedules.warmup_decay(s, 1e-2, 5, 30, decay, 1e-4, 0.9, 7)).ToArray();
        Assert.Equal(expected, lrs);
    }

    [Fact]
    public void A_dropout_override_applies_while_training_and_is_undone_after()
    {
        using var model = new Sequential(new Linear(4, 4), new Dropout(0.5));
        var layer = model.modules().OfType<Dropout>().Single();
        using (TrainingRecipe.OverrideDropout(model, 0.1)) Assert.Equal(0.1, layer.P);
        Assert.Equal(0.5, layer.P);
        using (TrainingRecipe.OverrideDropout(model, null)) Assert.Equal(0.5, layer.P);
        Assert.Contains("Dropout", Assert.Throws<ArgumentException>(() => new Trainer(Quick with { Dropout = 1.5 })).Message);
    }

    [Fact]
    public void Divergence_is_a_nonfinite_loss_or_one_that_stays_high()
    {
        var watch = new DivergenceWatch(factor: 3, patience: 2);
        Assert.Null(watch.Observe(1, 2.0));
        Assert.Null(watch.Observe(2, 7.0));     // one spike above 3 x 2.0
        Assert.Null(watch.Observe(3, 1.0));     // recovered: the count starts again
        Assert.Null(watch.Observe(4, 6.5));
        Assert.Contains("stayed above 3 x the initial loss 2", watch.Observe(5, 6.1));
        Assert.Contains("NaN at step 9", new DivergenceWatch(null, 1).Observe(9, double.NaN));
        Assert.Null(new DivergenceWatch(null, 1).Observe(1, 1e9));   // no factor: only non-finite losses diverge
    }

    [Fact]
    public void A_run_whose_loss_explodes_stops_as_diverged_with_the_reason()
    {
        using var model = NewModel();
        var result = new Trainer(Quick with { Optimizer = OptimizerKind.SGD, LearningRate = 50, ClipGradNorm = null, Steps = 200 }).Fit(model, MaxTask);
        Assert.Equal(StopReason.Diverged, result.Reason);
        Assert.True(result.StepsCompleted < 200);
        Assert.Matches("(stayed above 10 x the initial loss|loss became)", result.StopDetail);
    }
}
