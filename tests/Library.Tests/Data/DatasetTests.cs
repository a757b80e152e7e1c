using System.Globalization;
using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using DuckDB.NET.Data;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Data;

/// <summary>Datasets from tensors, arrays, CSV and Parquet: their splits, their scoring, and training on them.</summary>
public sealed class DatasetTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("archnb-data-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Example i has the single feature i, so a batch's inputs say which rows it holds.</summary>
    static TensorDataset Numbered(int n, SplitOptions? splits = null)
    {
        using var scope = NewDisposeScope();
        return Dataset.FromTensors(arange(n, ScalarType.Float32).reshape(n, 1), arange(n).remainder(2), LossKind.Classification, splits);
    }

    static long[] RowsOf(TaskBatch batch) => batch.Input.reshape(-1).data<float>().Select(v => (long)v).ToArray();

    [Fact]
    public void Splits_are_disjoint_cover_every_example_and_follow_the_fractions()
    {
        using var data = Numbered(200, new SplitOptions { TestFraction = 0.25, ValidationFraction = 0.15, Seed = 7 });
        var train = data.Splits.Of(Split.Train);
        var validation = data.Splits.Of(Split.Validation);
        var test = data.Splits.Of(Split.Test);
        Assert.Equal((120, 30, 50), (train.Length, validation.Length, test.Length));
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), train.Concat(validation).Concat(test).Order());
        // Reading a split whole returns exactly its rows.
        using (var scope = NewDisposeScope()) Assert.Equal(test, RowsOf(data.Slice(Split.Test, 0, 50)));
    }

    [Fact]
    public void Splits_and_batches_are_reproducible_by_seed()
    {
        using var a = Numbered(100, new SplitOptions { Seed = 3 });
        using var b = Numbered(100, new SplitOptions { Seed = 3 });
        using var c = Numbered(100, new SplitOptions { Seed = 4 });
        Assert.Equal(a.Splits.Of(Split.Test), b.Splits.Of(Split.Test));
        Assert.NotEqual(a.Splits.Of(Split.Test), c.Splits.Of(Split.Test));
        using var scope = NewDisposeScope();
        var first = RowsOf(a.Sample(16, seed: 11));
        Assert.Equal(first, RowsOf(b.Sample(16, seed: 11)));
        Assert.NotEqual(first, RowsOf(a.Sample(16, seed: 12)));
        Assert.Equal(16, first.Distinct().Count());   // without replacement while the split is large enough
        Assert.Subset(a.Splits.Of(Split.Train).ToHashSet(), first.ToHashSet());
        // A batch larger than a split draws from that split only, with replacement.
        var validation = RowsOf(a.Sample(64, seed: 1, Split.Validation));
        Assert.Equal(64, validation.Length);
        Assert.Subset(a.Splits.Of(Split.Validation).ToHashSet(), validation.ToHashSet());
    }

    [Fact]
    public void A_model_learns_a_known_regression_to_the_noise_floor()
    {
        // y = 2x + 1 + noise (sd 0.05): a model that learned the line has an RMSE near 0.05; predicting
        // the mean (the best constant) has the targets' spread, variance 4/3 for x uniform in [-1, 1],
        // and predicting zero, as an untrained model roughly does, a mean square of 4/3 + 1.
        var rng = new Rng(5);
        var x = Enumerable.Range(0, 800).Select(_ => new[] { (float)(2 * rng.NextDouble() - 1) }).ToArray();
        var y = x.Select(r => (float)(2 * r[0] + 1 + 0.05 * rng.NextGaussian())).ToArray();
        // Generalization: the same line further out, x in [1, 2], never seen in training.
        var far = Enumerable.Range(0, 100).Select(i => 1 + i / 100f).ToArray();
        using var inputs = tensor(x.Select(r => r[0]).ToArray(), [800, 1]);
        using var targets = tensor(y);
        using var farInputs = tensor(far, [100, 1]);
        using var farTargets = tensor(far.Select(v => 2 * v + 1).ToArray());
        using var data = Dataset.FromTensors(inputs, targets, LossKind.Regression, name: "line", generalization: (farInputs, farTargets));
        Assert.True(data.HasGeneralizationSplit);
        Assert.Equal(100, data.Count(Split.Generalization));
        Assert.Equal("rmse", data.MetricName);
        Assert.InRange(data.BestConstantLoss, 1.2, 1.45);
        Assert.InRange(data.ExpectedInitialLoss, 2.15, 2.5);
        manual_seed(0);
        using var model = new TaskMlp(data, width: 32);
        var initial = SanityChecks.InitialLoss(model, data);
        Assert.True(initial.Passed, initial.Summary);
        Assert.Contains("mean squared target", initial.Summary);
        var result = new Trainer(new TrainConfig { Steps = 600, BatchSize = 64, LearningRate = 1e-2, EvalEvery = 200, Seed = 1,
            EvalSplits = [Split.Validation, Split.Test, Split.Generalization] }).Fit(model, data);
        Assert.DoesNotContain("test_accuracy", result.FinalMetrics.Keys);
        Assert.Equal(Math.Sqrt(result.Metric("generalization_loss")), result.Metric("generalization_rmse"), 9);
        double rmse = result.Metric("test_rmse");
        Assert.True(rmse < 0.1, $"test RMSE {rmse}");
        Assert.Equal(Math.Sqrt(result.Metric("test_loss")), rmse, 9);
    }

    [Fact]
    public void A_classification_from_a_csv_file_is_learned()
    {
        // Two numeric features and a text label: "pos" above the line x1 + x2 = 0.3, else "neg".
        var rng = new Rng(9);
        var lines = new List<string> { "x1,x2,label" };
        for (int i = 0; i < 600; i++)
        {
            double x1 = 2 * rng.NextDouble() - 1, x2 = 2 * rng.NextDouble() - 1;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x1:R},{x2:R},{(x1 + x2 > 0.3 ? "pos" : "neg")}"));
        }
        var path = Path.Combine(dir, "points.csv");
        File.WriteAllLines(path, lines);

        using var data = Dataset.FromCsv(path, target: "label", splits: new SplitOptions { Seed = 2 });
        Assert.Equal(LossKind.Classification, data.Loss);
        Assert.Equal(["neg", "pos"], data.ClassNames!);
        Assert.Equal(["x1", "x2"], data.FeatureNames!);
        Assert.Equal(600, data.Examples);
        Assert.Equal([2L], data.InputShape());
        // The rows came through intact: every example's label agrees with its features.
        using (var scope = NewDisposeScope())
        {
            var all = data.Slice(Split.Train, 0, data.Count(Split.Train));
            var features = all.Input.data<float>();
            var labels = all.Target.data<long>();
            for (int i = 0; i < labels.Length; i++)
                Assert.Equal(features[2 * i] + features[2 * i + 1] > 0.3 ? 1L : 0L, labels[i]);
        }
        manual_seed(0);
        using var model = new TaskMlp(data, width: 32);
        var result = new Trainer(new TrainConfig { Steps = 400, BatchSize = 64, LearningRate = 1e-2, EvalEvery = 100, Seed = 1 }).Fit(model, data);
        Assert.True(result.Metric("test_accuracy") >= 0.95, $"test accuracy {result.Metric("test_accuracy")}");
    }

    [Fact]
    public void A_parquet_file_reads_like_the_csv_it_was_written_from()
    {
        var csv = Path.Combine(dir, "line.csv");
        File.WriteAllLines(csv, new[] { "x,noise,y" }.Concat(Enumerable.Range(0, 50).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 0.1},{(i % 3) * 0.5},{2 * i * 0.1 + 1}"))));
        var parquet = Path.Combine(dir, "line.parquet");
        using (var connection = new DuckDBConnection(DuckDBConnectionStringBuilder.InMemoryConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM read_csv('{csv}', header = true)) TO '{parquet}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }
        using var fromCsv = Dataset.FromCsv(csv, target: "y", features: ["x"]);
        using var fromParquet = Dataset.FromParquet(parquet, target: "y", features: ["x"]);
        Assert.Equal(LossKind.Regression, fromParquet.Loss);   // a floating-point target
        Assert.Equal(["x"], fromParquet.FeatureNames!);
        using var scope = NewDisposeScope();
        foreach (var split in new[] { Split.Train, Split.Validation, Split.Test })
        {
            var a = fromCsv.Slice(split, 0, fromCsv.Count(split));
            var b = fromParquet.Slice(split, 0, fromParquet.Count(split));
            Assert.Equal(a.Input.data<float>(), b.Input.data<float>());
            Assert.Equal(a.Target.data<float>(), b.Target.data<float>());
            var x = b.Input.data<float>();
            var y = b.Target.data<float>();
            for (int i = 0; i < x.Length; i++) Assert.Equal(2 * x[i] + 1, y[i], 4);
        }
    }

    [Fact]
    public void A_per_token_dataset_is_scored_per_position()
    {
        // Copy the input tokens: the target at each position is the token there.
        using var scope = NewDisposeScope();
        var tokens = new long[300 * 3];
        var rng = new Rng(1);
        for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.Next(4);
        var input = tensor(tokens, [300, 3]);
        using var data = Dataset.FromTensors(input, input.clone(), LossKind.PerToken, numClasses: 4);
        Assert.Equal(4L, data.VocabSize);
        Assert.Equal([8L, 3, 4], data.LogitsShape(8));
        manual_seed(0);
        using var model = new TaskMlp(data, width: 32);
        var result = new Trainer(new TrainConfig { Steps = 300, BatchSize = 32, LearningRate = 1e-2, EvalEvery = 100, Seed = 1 }).Fit(model, data);
        Assert.True(result.Metric("test_accuracy") > 0.95, $"test accuracy {result.Metric("test_accuracy")}");
    }

    [Fact]
    public void Bad_inputs_are_refused_naming_the_problem()
    {
        using var scope = NewDisposeScope();
        var x = randn(10, 2);
        Assert.Contains("10 examples but targets have 9", Assert.Throws<ArgumentException>(() => Dataset.FromTensors(x, zeros([9], ScalarType.Int64), LossKind.Classification)).Message);
        Assert.Contains("must be integer class ids, not Float32", Assert.Throws<ArgumentException>(() => Dataset.FromTensors(x, randn(10), LossKind.Classification)).Message);
        Assert.Contains("must be floating-point values, not Int64", Assert.Throws<ArgumentException>(() => Dataset.FromTensors(x, zeros([10], ScalarType.Int64), LossKind.Regression)).Message);
        Assert.Contains("at least two classes", Assert.Throws<ArgumentException>(() => Dataset.FromTensors(x, zeros([10], ScalarType.Int64), LossKind.Classification)).Message);
        Assert.Contains("Test split is empty", Assert.Throws<ArgumentException>(() =>
            Dataset.FromTensors(randn(4, 2), tensor(new long[] { 0, 1, 0, 1 }), LossKind.Classification, new SplitOptions { TestFraction = 0.1 })).Message);
        Assert.Contains("feature row 1 has 1 values but row 0 has 2", Assert.Throws<ArgumentException>(() =>
            Dataset.Regression([[1f, 2f], [3f]], [1f, 2f])).Message);
        using var data = Dataset.FromTensors(x, tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 }), LossKind.Classification, new SplitOptions { TestFraction = 0.2, ValidationFraction = 0.2 });
        Assert.Contains("class id 7 does not fit 2 classes", Assert.Throws<ArgumentException>(() =>
            Dataset.FromTensors(x, tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 }), LossKind.Classification, generalization: (randn(2, 2), tensor(new long[] { 0, 7 })))).Message);
        Assert.Contains("no Generalization split", Assert.Throws<ArgumentException>(() => data.Sample(4, 0, Split.Generalization)).Message);
        Assert.Contains("expects outputs of shape [3, 2] but got [3, 5]", Assert.Throws<ArgumentException>(() => data.ComputeLoss(randn(3, 5), zeros([3], ScalarType.Int64))).Message);

        var csv = Path.Combine(dir, "bad.csv");
        File.WriteAllLines(csv, ["a,b,name,y", "1,2,p,0.5", "3,,q,1.5", "5,6,r,2.5", "7,8,s,3.5"]);
        Assert.Contains("no column 'target'; its columns: a, b, name, y", Assert.Throws<ArgumentException>(() => Dataset.FromCsv(csv, target: "target")).Message);
        Assert.Contains("column 'name'", Assert.Throws<ArgumentException>(() => Dataset.FromCsv(csv, target: "y", features: ["a", "name"])).Message);
        Assert.Contains("column 'b'", Assert.Throws<ArgumentException>(() => Dataset.FromCsv(csv, target: "y", features: ["a", "b"])).Message);
        Assert.Contains("data row 2", Assert.Throws<ArgumentException>(() => Dataset.FromCsv(csv, target: "y", features: ["a", "b"])).Message);
        Assert.Throws<FileNotFoundException>(() => Dataset.FromCsv(Path.Combine(dir, "absent.csv"), target: "y"));
    }
}
