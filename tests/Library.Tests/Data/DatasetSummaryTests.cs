using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Data;

/// <summary>What #!arch data shows, computed from the data: split sizes, class balance per split, target ranges, examples.</summary>
public sealed class DatasetSummaryTests
{
    [Fact]
    public void Class_balance_per_split_counts_the_rows_of_each_split()
    {
        // 50 rows: rows 0..9 are class 2, the rest alternate 0/1; the summary's counts must match the split's own rows.
        using var scope = NewDisposeScope();
        var labels = Enumerable.Range(0, 50).Select(i => i < 10 ? 2L : i % 2).ToArray();
        using var data = Dataset.FromTensors(arange(50, ScalarType.Float32).reshape(50, 1), tensor(labels), LossKind.Classification, new SplitOptions { Seed = 9 });
        var summary = DatasetSummary.Of(data, examples: 3);
        Assert.Equal(new[] { Split.Train, Split.Validation, Split.Test }, summary.Splits.Select(s => s.Split));
        foreach (var split in summary.Splits)
        {
            var rows = data.Splits.Of(split.Split);
            Assert.Equal(rows.Length, split.Examples);
            var expected = Enumerable.Range(0, 3).Select(c => (long)rows.Count(r => labels[r] == c));
            Assert.Equal(expected, split.ClassCounts!);
        }
        Assert.Equal(3, summary.Examples.Count);
        // The examples are the first training rows, in the split's order: input i has the value i.
        var first = data.Splits.Of(Split.Train)[0];
        Assert.Equal($"[{first}]", summary.Examples[0].Input);
        Assert.Equal(labels[first].ToString(), summary.Examples[0].Target);
        Assert.Equal(new long[] { 1 }, summary.InputShape);
        Assert.Equal("Int64", summary.TargetDType);
    }

    [Fact]
    public void A_regressions_target_range_is_read_per_split_and_a_synthetic_task_is_sampled()
    {
        using var scope = NewDisposeScope();
        var y = arange(40, ScalarType.Float32) / 10;   // 0.0 .. 3.9
        using var data = Dataset.FromTensors(zeros(40, 2), y, LossKind.Regression);
        var summary = DatasetSummary.Of(data);
        var all = summary.Splits.Select(s => s.Targets!).ToList();
        Assert.Equal(0.0, all.Min(t => t.Min), 6);
        Assert.Equal(3.9, all.Max(t => t.Max), 5);
        var test = data.Splits.Of(Split.Test);
        Assert.Equal(test.Average(r => r / 10.0), summary.Splits.Single(s => s.Split == Split.Test).Targets!.Mean, 5);

        var copy = DatasetSummary.Of(new CopyTask(symbols: 4, length: 3));
        Assert.Contains(copy.Splits, s => s.Split == Split.Generalization);
        Assert.All(copy.Splits, s => Assert.Null(s.Examples));   // a synthetic task has no fixed size
        // Each sampled example scores its 3 answer positions, so 512 examples give 1536 scored labels.
        Assert.Equal(3L * DatasetSummary.SampleSize, copy.Splits.Single(s => s.Split == Split.Train).ClassCounts!.Sum());
    }
}
