using System.Globalization;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Data;

/// <summary>One split as a summary counts it: its size (null for a task that samples without end) and its targets.</summary>
/// <param name="Read">Examples the statistics below were computed from (the whole split, or a sample of a synthetic task).</param>
/// <param name="ClassCounts">Classification: scored labels per class id. Null for regression.</param>
/// <param name="Targets">Regression: min, max, mean and std of the target values. Null for classification.</param>
public sealed record SplitSummary(Split Split, long? Examples, long Read, IReadOnlyList<long>? ClassCounts, TargetRange? Targets);

/// <summary>The spread of a regression's targets in one split.</summary>
public sealed record TargetRange(double Min, double Max, double Mean, double Std);

/// <summary>One example as text: its input values (the first few) and its target.</summary>
public sealed record ExampleText(string Input, string Target);

/// <summary>
/// What a dataset or task holds, for a researcher about to train on it: split sizes, input and target shapes and
/// dtypes, class balance (or target range) per split, and a few training examples. A finite dataset is read
/// whole; a synthetic task, which samples without end, is summarised from <see cref="SampleSize"/> examples per split.
/// </summary>
public sealed record DatasetSummary(string Name, string Kind, string Description, LossKind Loss, long Classes, IReadOnlyList<string>? ClassNames,
    long[] InputShape, string InputDType, long[] TargetShape, string TargetDType, IReadOnlyList<string>? FeatureNames,
    IReadOnlyList<SplitSummary> Splits, IReadOnlyList<ExampleText> Examples)
{
    /// <summary>Examples drawn per split to summarise a task that has no fixed size.</summary>
    public const int SampleSize = 512;

    /// <summary>Reads <paramref name="task"/> and summarises it; <paramref name="examples"/> training examples are shown.</summary>
    public static DatasetSummary Of(ISyntheticTask task, int examples = 5)
    {
        ArgumentNullException.ThrowIfNull(task);
        using var scope = NewDisposeScope();
        var finite = task as IFiniteDataset;
        var splits = new List<SplitSummary>();
        foreach (var split in new[] { Split.Train, Split.Validation, Split.Test, Split.Generalization })
        {
            if (split == Split.Generalization && !task.HasGeneralizationSplit) continue;
            long? size = finite?.Count(split);
            if (size == 0) continue;
            using var batch = size is { } n ? finite!.Slice(split, 0, n) : task.Sample(SampleSize, 0, split);
            splits.Add(Summarise(task, split, size, batch.Target));
        }
        using var shown = finite is not null
            ? finite.Slice(Split.Train, 0, Math.Min(examples, finite.Count(Split.Train)))
            : task.Sample(examples, 0, Split.Train);
        var dataset = task as TensorDataset;
        var classNames = dataset?.ClassNames;
        var rows = Enumerable.Range(0, (int)shown.Size).Select(i => new ExampleText(Values(shown.Input[i]), TargetText(shown.Target[i], task.Loss, classNames))).ToList();
        return new DatasetSummary(task.Name, task.GetType().Name, task.Description, task.Loss, task.NumClasses, classNames,
            task.InputShape(), task.InputDType.ToString(), shown.Target.shape[1..], shown.Target.dtype.ToString(), dataset?.FeatureNames, splits, rows);
    }

    static SplitSummary Summarise(ISyntheticTask task, Split split, long? size, Tensor targets)
    {
        long read = targets.shape[0];
        if (task.Loss == LossKind.Regression)
        {
            var flat = targets.to(ScalarType.Float64).flatten();
            return new SplitSummary(split, size, read, null, new TargetRange(flat.min().ToDouble(), flat.max().ToDouble(), flat.mean().ToDouble(),
                flat.numel() > 1 ? flat.std(unbiased: false).ToDouble() : 0));
        }
        var counts = new long[task.NumClasses];
        foreach (var label in targets.to(ScalarType.Int64).contiguous().ToArray<long>())
            if (label >= 0 && label < counts.Length) counts[label]++;   // Ignore (-100) marks an unscored position
        return new SplitSummary(split, size, read, counts, null);
    }

    /// <summary>At most 8 values of one example's input, then how many more.</summary>
    static string Values(Tensor input)
    {
        var flat = input.flatten();
        long n = flat.numel();
        var shown = Enumerable.Range(0, (int)Math.Min(8, n)).Select(i => Format(flat[i], input.dtype));
        return "[" + string.Join(", ", shown) + (n > 8 ? $", … ({n} values)" : "") + "]";
    }

    static string TargetText(Tensor target, LossKind loss, IReadOnlyList<string>? names)
    {
        if (loss == LossKind.Regression || target.numel() != 1) return Values(target);
        long id = target.ToInt64();
        return names is not null && id >= 0 && id < names.Count ? $"{id} ({names[(int)id]})" : id.ToString(CultureInfo.InvariantCulture);
    }

    static string Format(Tensor value, ScalarType dtype) => dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16
        ? value.ToDouble().ToString("G4", CultureInfo.InvariantCulture)
        : value.ToInt64().ToString(CultureInfo.InvariantCulture);
}
