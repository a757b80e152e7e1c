using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using Xunit.Abstractions;

namespace Library.Tests.Families;

/// <summary>The Set Transformer on a set task and the hourglass (multi-scale) transformer on a sequence task, judged on held-out accuracy.</summary>
public class SetAndSequenceLearningTests(ITestOutputHelper output)
{
    [Fact]
    public void Set_transformer_learns_set_max()
    {
        // 10 classes: chance is 10%, and the most frequent answer (9, for sets of 4 digits) is right 34% of the time.
        var task = new SetMaxTask(digits: 10, size: 4);
        var outcome = LearningProbe.Train(new SetTransformerConfig(Dim: 32, Heads: 4, Blocks: 1), task, steps: 300);
        output.WriteLine($"set transformer on set max: {outcome}");
        Assert.True(outcome.Accuracy >= 0.95, outcome.ToString());
    }

    [Fact]
    public void Set_transformer_with_inducing_points_learns_set_sum()
    {
        // Test sets are multisets never seen in training (the split hashes digit counts), so memorising fails:
        // with 10 digits there are 715 multisets of 4, enough to force learning the sum itself.
        var task = new SetSumTask(digits: 10, size: 4);
        var outcome = LearningProbe.Train(new SetTransformerConfig(Dim: 32, Heads: 4, Blocks: 1, InducingPoints: 4), task, steps: 1000);
        output.WriteLine($"set transformer (ISAB) on set sum: {outcome}");
        Assert.True(outcome.Accuracy >= 0.9, outcome.ToString());
    }

    [Fact]
    public void Hourglass_learns_reverse()
    {
        var task = new ReverseTask(symbols: 8, length: 6);
        var outcome = LearningProbe.Train(new HourglassConfig(Dim: 32, Heads: 4, Stages: 2), task, steps: 300);
        output.WriteLine($"hourglass on reverse: {outcome}");
        Assert.True(outcome.Accuracy >= 0.95, outcome.ToString());
    }
}
