using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Tasks;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Checks;

public class SanityCheckTests
{
    static readonly SetMaxTask Task = new(digits: 6, size: 3);

    [Fact]
    public void A_healthy_model_passes_every_check()
    {
        var report = SanitySuite.Run(() => new TaskMlp(Task), Task);
        Assert.True(report.AllPassed, report.ToString());
        Assert.Equal(new[] { "shape", "initial-loss", "gradient-flow", "batch-dependencies", "update-to-data-ratio", "overfit-one-batch", "input-independent-baseline" },
            report.Checks.Select(c => c.Name));
        var init = report.Get<InitialLossCheck>();
        Assert.Equal(Math.Log(6), init.Expected, 12);
        Assert.InRange(init.Actual, 0.8 * init.Expected, 1.2 * init.Expected);
        var overfit = report.Get<OverfitBatchCheck>();
        Assert.True(overfit.FinalLoss <= 0.05 && overfit.FinalAccuracy == 1.0, overfit.ToString());
        var baseline = report.Get<InputIndependenceCheck>();
        Assert.True(baseline.TestLossWithInputs < 0.8 * baseline.TestLossWithZeroedInputs, baseline.ToString());
        Assert.Equal(4, report.Get<GradientFlowCheck>().Parameters.Count);
        Assert.Equal(0.0, report.Get<DependencyCheck>().CrossInfluence);
        Assert.All(report.Get<UpdateRatioCheck>().Parameters, p => Assert.InRange(p.Log10Ratio, -4, -1.5));
    }

    [Fact]
    public void Logits_of_the_wrong_shape_fail_the_shape_check_and_stop_the_suite()
    {
        // Same inputs, but sized for set-sum's 41 classes instead of set-max's 6.
        var report = SanitySuite.Run(() => new TaskMlp(new SetSumTask(digits: 6, size: 3)), Task);
        var shape = Assert.IsType<ShapeCheck>(Assert.Single(report.Checks));
        Assert.False(shape.Passed);
        Assert.Equal(new long[] { 4, 6 }, shape.Expected);
        Assert.Equal(new long[] { 4, 41 }, shape.Actual);
        // A model that cannot even take the input fails with the reason instead of throwing.
        using var wrongInput = new TaskMlp(new SetMaxTask(digits: 5, size: 3));
        var failed = SanityChecks.Shape(wrongInput, Task);
        Assert.False(failed.Passed);
        Assert.Contains("forward failed", failed.Summary);
    }

    [Fact]
    public void Overconfident_logits_at_init_fail_the_initial_loss_check()
    {
        using var model = new TaskMlp(Task);
        Assert.True(SanityChecks.InitialLoss(model, Task).Passed);
        using (no_grad()) model.output.weight.mul_(40.0);
        var check = SanityChecks.InitialLoss(model, Task);
        Assert.False(check.Passed);
        Assert.True(check.Actual > 1.25 * check.Expected, check.ToString());
        Assert.Contains("too confident", check.Summary);
    }

    [Fact]
    public void A_zeroed_layer_leaves_the_layer_below_it_with_dead_gradients()
    {
        using var healthy = new TaskMlp(Task);
        Assert.True(SanityChecks.GradientFlow(healthy, Task).Passed);
        using var broken = new TaskMlp(Task).KillOutputWeights();
        var check = SanityChecks.GradientFlow(broken, Task);
        Assert.False(check.Passed);
        Assert.Equal(new[] { "hidden.weight", "hidden.bias" }, check.Flagged.Select(p => p.Name));
        Assert.All(check.Flagged, p => Assert.Equal(GradientFlag.Dead, p.Flag));
        Assert.True(check.Parameters.Single(p => p.Name == "output.weight").GradNorm > 0);
        Assert.All(broken.parameters(), p => Assert.Null(p.grad));   // gradients are cleared afterwards
    }

    [Fact]
    public void A_model_blind_to_its_input_fails_the_baseline_and_cannot_overfit()
    {
        var options = new SanityOptions { OverfitMaxSteps = 150 };
        var baseline = SanityChecks.InputIndependentBaseline(() => new TaskMlp(Task) { BlindToInput = true }, Task, options);
        Assert.False(baseline.Passed, baseline.ToString());
        Assert.Equal(baseline.TestLossWithInputs, baseline.TestLossWithZeroedInputs, 6);
        using var blind = new TaskMlp(Task) { BlindToInput = true };
        var overfit = SanityChecks.OverfitOneBatch(blind, Task, options);
        Assert.False(overfit.Passed);
        Assert.True(overfit.FinalLoss > 0.3, overfit.ToString());
    }

    [Fact]
    public void Learning_rates_far_too_high_or_low_are_flagged_by_the_update_ratio()
    {
        UpdateRatioCheck At(double lr)
        {
            manual_seed(0);
            using var model = new TaskMlp(Task);
            return SanityChecks.UpdateToDataRatio(model, Task, new SanityOptions { LearningRate = lr });
        }
        var healthy = At(1e-3);
        Assert.True(healthy.Passed, healthy.ToString());
        var high = At(1.0);
        Assert.False(high.Passed);
        Assert.Contains(high.Parameters, p => p.Flag == UpdateFlag.TooHigh && p.Name == "hidden.weight");
        Assert.True(high.Parameters.Single(p => p.Name == "hidden.weight").Log10Ratio > -1, high.ToString());
        var low = At(1e-8);
        Assert.False(low.Passed);
        Assert.All(low.Flagged, p => Assert.Equal(UpdateFlag.TooLow, p.Flag));
    }
}
