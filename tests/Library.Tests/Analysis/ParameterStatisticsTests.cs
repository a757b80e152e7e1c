using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Analysis;

/// <summary>Per-parameter gradient norms and update-to-weight ratios logged during real training, checked against the tensors themselves.</summary>
public class ParameterStatisticsTests
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);
    static readonly TrainConfig Short = new() { Steps = 6, BatchSize = 16, EvalEvery = 0, EvalBatches = 1, EvalBatchSize = 32, Seed = 5, EvalSplits = [Split.Test] };

    /// <summary>Plain SGD: no momentum, no weight decay, no clipping, a constant lr, so a step is exactly w − lr·g.</summary>
    static readonly TrainConfig PlainSgd = Short with
    {
        Optimizer = OptimizerKind.SGD, Momentum = 0, WeightDecay = 0, ClipGradNorm = null, Schedule = Decay.Constant, LearningRate = 0.05,
    };

    static RecordedRun NewRecorder() => new(new ExperimentRunInfo { Group = "params", Variant = "mlp", Seed = 5, Task = MaxTask.Name });

    static TaskMlp NewModel()
    {
        manual_seed(0);
        return new TaskMlp(MaxTask, width: 16);
    }

    sealed record Observed(long Step, string Name, double LoggedGrad, double HandGrad, double LoggedRatio, double HandRatio, double SgdRatio);

    [Fact]
    public void Logged_gradient_norms_and_update_ratios_equal_the_tensors_at_that_step()
    {
        using var model = NewModel();
        var named = model.named_parameters().ToArray();
        var recorder = NewRecorder();
        var observed = new List<Observed>();
        Tensor[]? before = null;
        void Watch(TrainingEvent e)
        {
            // The step before a logged one ends with the weights the logged step starts from.
            if (e is StepEvent s && (s.Step + 1) % 3 == 0)
                before = named.Select(p => p.parameter.detach().clone().DetachFromDisposeScope()).ToArray();
            if (e is not ParametersEvent logged) return;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Assert.Equal(named.Select(p => p.name), logged.Parameters.Select(p => p.Name));
            for (int i = 0; i < named.Length; i++)
            {
                var (name, p) = named[i];
                var g = p.grad!;   // still held: gradients are cleared at the next step's zero_grad
                double wBefore = before![i].norm().ToDouble();
                observed.Add(new Observed(logged.Step, name, logged.Parameters[i].GradNorm, g.norm().ToDouble(),
                    logged.Parameters[i].UpdateRatio!.Value, p.sub(before[i]).norm().ToDouble() / wBefore, PlainSgd.LearningRate * g.norm().ToDouble() / wBefore));
            }
            foreach (var t in before!) t.Dispose();
        }
        RecordedTraining.Fit(model, MaxTask, PlainSgd with { ParameterStatsEvery = 3 }, recorder, watch: Watch);

        Assert.Equal([3L, 3, 3, 3, 6, 6, 6, 6], observed.Select(o => o.Step));
        foreach (var o in observed)
        {
            Assert.True(o.HandGrad > 0, $"{o.Name} got no gradient at step {o.Step}");
            Assert.Equal(o.HandGrad, o.LoggedGrad, 12);
            Assert.Equal(o.HandRatio, o.LoggedRatio, 12);
            // For plain SGD the update is lr·g; the float32 subtraction w_after − w_before rounds, hence the tolerance.
            Assert.True(Math.Abs(o.LoggedRatio - o.SgdRatio) <= 1e-3 * o.SgdRatio, $"{o.Name} step {o.Step}: logged {o.LoggedRatio}, lr·‖g‖/‖w‖ {o.SgdRatio}");
        }
        // The run log holds the same numbers under stable names.
        foreach (var name in named.Select(p => p.name))
        {
            Assert.Equal(observed.Where(o => o.Name == name).Select(o => (o.Step, o.LoggedGrad)), recorder.History(ParameterStatistics.MetricName(name, "grad_norm")));
            Assert.Equal(observed.Where(o => o.Name == name).Select(o => (o.Step, o.LoggedRatio)), recorder.History(ParameterStatistics.MetricName(name, "update_ratio")));
        }
        Assert.Equal("params/hidden.weight/update_ratio", ParameterStatistics.MetricName("hidden.weight", "update_ratio"));
        Assert.True(ParameterStatistics.TryParseMetric("params/blocks.0.attn.qkv.weight/grad_norm", out var parameter, out var stat));
        Assert.Equal(("blocks.0.attn.qkv.weight", "grad_norm"), (parameter, stat));
        Assert.False(ParameterStatistics.TryParseMetric("activations/hidden/std", out _, out _));
    }

    /// <summary>A TaskMlp under another name, beside a layer the forward never calls.</summary>
    sealed class WithUnusedHead : Module<Tensor, Tensor>
    {
        public readonly TaskMlp body;
        public readonly Linear unused;

        public WithUnusedHead()
        {
            body = register_module("body", NewModel());
            unused = register_module("unused", new Linear(4, 3));
        }

        public override Tensor forward(Tensor x) => body.call(x);
    }

    [Fact]
    public void A_frozen_parameter_is_absent_and_one_the_loss_never_reaches_shows_zero()
    {
        using var model = new WithUnusedHead();
        model.body.hidden.weight.requires_grad = false;
        var frozenBefore = model.body.hidden.weight.clone();
        var unusedBefore = model.unused.weight.clone();
        var recorder = NewRecorder();
        // AdamW with weight decay: a parameter without a gradient is skipped whole, decay included, as in torch.optim.
        RecordedTraining.Fit(model, MaxTask, Short with { ParameterStatsEvery = 2, WeightDecay = 0.1 }, recorder);

        var names = recorder.Metrics.Where(m => m.Name.StartsWith("params/")).Select(m => m.Name).Distinct().ToList();
        Assert.DoesNotContain(names, n => n.Contains("body.hidden.weight"));
        Assert.Contains(ParameterStatistics.MetricName("body.hidden.bias", "grad_norm"), names);
        foreach (var stat in ParameterStatistics.Stats)
        {
            var unused = recorder.History(ParameterStatistics.MetricName("unused.weight", stat)).ToList();
            Assert.Equal([2L, 4, 6], unused.Select(p => p.Step));
            Assert.All(unused, p => Assert.Equal(0.0, p.Value));
        }
        Assert.All(recorder.History(ParameterStatistics.MetricName("body.output.weight", "grad_norm")), p => Assert.True(p.Value > 0));
        Assert.All(recorder.History(ParameterStatistics.MetricName("body.output.weight", "update_ratio")), p => Assert.True(p.Value > 0));
        // What was logged is what happened: neither weight moved.
        Assert.True(equal(frozenBefore, model.body.hidden.weight));
        Assert.True(equal(unusedBefore, model.unused.weight));
    }

    [Fact]
    public void A_weight_that_is_all_zeros_has_a_gradient_norm_but_no_update_ratio_until_it_moves()
    {
        using var model = NewModel().KillOutputWeights();
        var recorder = NewRecorder();
        RecordedTraining.Fit(model, MaxTask, Short with { Steps = 2, ParameterStatsEvery = 1 }, recorder);
        Assert.Equal([1L, 2], recorder.History(ParameterStatistics.MetricName("output.weight", "grad_norm")).Select(p => p.Step));
        // ‖Δw‖/‖w‖ is undefined for w = 0: left out at step 1, logged once the step has moved the weight.
        Assert.Equal([2L], recorder.History(ParameterStatistics.MetricName("output.weight", "update_ratio")).Select(p => p.Step));
    }

    [Fact]
    public void Recording_parameters_does_not_change_training_and_zero_turns_it_off()
    {
        using var a = NewModel();
        using var b = NewModel();
        var off = NewRecorder();
        var plain = RecordedTraining.Fit(a, MaxTask, Short with { ParameterStatsEvery = 0 }, off);
        var probed = new Trainer(Short with { ParameterStatsEvery = 1 }).Fit(b, MaxTask);
        Assert.Equal(plain.LossHistory, probed.LossHistory);
        Assert.True(equal(a.hidden.weight, b.hidden.weight));
        Assert.DoesNotContain(off.Metrics, m => m.Name.StartsWith("params/"));
        var e = Assert.Throws<ArgumentException>(() => new Trainer(Short with { ParameterStatsEvery = -1 }));
        Assert.Contains("ParameterStatsEvery", e.Message);
    }
}
