using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;

namespace Library.Tests.Studies;

public class ScalingTests
{
    [Fact]
    public void A_scaling_run_over_widths_fits_a_power_law_with_loss_falling_as_parameters_grow()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var training = new TrainConfig { Steps = 150, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 0, EvalBatchSize = 256, LogEvery = 50 };
        var sizes = new[] { 1, 2, 4, 8, 32 }.Select(w => ($"width {w}", w));
        var memory = new InMemoryExperimentLog();
        var result = new ScalingStudy<int>("mlp-scaling", sizes, w => new TaskMlp(task, w), task, training) { Seeds = new long[] { 0, 1 } }
            .Run(memory);
        Assert.Equal(5, result.Points.Count);
        Assert.True(result.Points.Zip(result.Points.Skip(1)).All(p => p.First.Parameters < p.Second.Parameters));
        Assert.Equal(10, memory.Runs.Count);
        Assert.All(memory.Runs, r => Assert.Equal("mlp-scaling", r.Info.Group));
        // Each size's seeds carry the recipe they trained with (logged as config.train.*).
        Assert.All(memory.Runs, r => Assert.Equal(new object?[] { "adamw", 3e-3, 150, 64, "cpu" },
            new[] { "optimizer", "lr", "steps", "batch_size", "device" }.Select(k => RunConfig.Train(r.Info.Training!, r.Info.Device)[k])));
        var fit = Assert.IsType<PowerLawFit>(result.Fit);
        Assert.True(fit.B > 0, result.ToString());
        Assert.InRange(fit.RSquared, 0, 1);
        Assert.NotNull(result.OffsetFit);
        Assert.True(result.Points[^1].Mean < result.Points[0].Mean, result.ToString());
        Assert.Contains("L = ", result.ToString());
    }
}
