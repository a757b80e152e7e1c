using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Data;

/// <summary>
/// Ways to bring data: tensors, .NET arrays, CSV and Parquet files. Each gives a <see cref="TensorDataset"/>
/// with seeded Train / Validation / Test splits, which every trainer, check and study takes as a task.
/// </summary>
public static class Dataset
{
    /// <summary>A dataset of tensors already in hand (they are copied: later changes to them do not reach it).</summary>
    /// <remarks><paramref name="generalization"/>: optional shifted examples, scored as <see cref="Split.Generalization"/>.</remarks>
    public static TensorDataset FromTensors(Tensor inputs, Tensor targets, LossKind loss, SplitOptions? splits = null, string name = "dataset",
        long? numClasses = null, long? vocabSize = null, (Tensor Inputs, Tensor Targets)? generalization = null) =>
        new(inputs, targets, loss, splits, name, numClasses, vocabSize, generalization: generalization);

    /// <summary>A classification of feature rows: <paramref name="features"/>[i] is example i, <paramref name="labels"/>[i] its class.</summary>
    public static TensorDataset Classification(float[][] features, long[] labels, SplitOptions? splits = null, string name = "dataset", long? numClasses = null)
    {
        using var scope = NewDisposeScope();
        return new TensorDataset(Rows(features, labels.Length), tensor(labels), LossKind.Classification, splits, name, numClasses);
    }

    /// <summary>A regression of feature rows onto one real value each.</summary>
    public static TensorDataset Regression(float[][] features, float[] targets, SplitOptions? splits = null, string name = "dataset")
    {
        using var scope = NewDisposeScope();
        return new TensorDataset(Rows(features, targets.Length), tensor(targets), LossKind.Regression, splits, name);
    }

    /// <summary>
    /// A dataset from a CSV file with a header row, read by DuckDB. <paramref name="target"/> names the
    /// column to predict; <paramref name="features"/> the input columns (default: every other column, which
    /// must then all be numeric). Without <paramref name="loss"/>, a text, boolean or integer target is a
    /// classification (its distinct values, sorted, become classes 0, 1, ...; see <see cref="TensorDataset.ClassNames"/>)
    /// and a floating-point target a regression.
    /// </summary>
    public static TensorDataset FromCsv(string path, string target, string[]? features = null, LossKind? loss = null, SplitOptions? splits = null, string? name = null) =>
        TableReader.Read(path, "csv", target, features, loss, splits, name);

    /// <summary>A dataset from a Parquet file, read by DuckDB; the columns are chosen as in <see cref="FromCsv"/>.</summary>
    public static TensorDataset FromParquet(string path, string target, string[]? features = null, LossKind? loss = null, SplitOptions? splits = null, string? name = null) =>
        TableReader.Read(path, "parquet", target, features, loss, splits, name);

    static Tensor Rows(float[][] features, int targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length != targets) throw new ArgumentException($"there are {features.Length} feature rows but {targets} targets: they must have one per example");
        if (features.Length == 0) throw new ArgumentException("the dataset has no examples");
        int width = features[0]?.Length ?? 0;
        var flat = new float[features.Length * width];
        for (int i = 0; i < features.Length; i++)
        {
            if (features[i] is null || features[i].Length != width)
                throw new ArgumentException($"feature row {i} has {features[i]?.Length ?? 0} values but row 0 has {width}: every row needs the same number");
            features[i].CopyTo(flat, i * width);
        }
        if (width == 0) throw new ArgumentException("the feature rows are empty: a model needs at least one feature");
        return tensor(flat, new long[] { features.Length, width });
    }
}
