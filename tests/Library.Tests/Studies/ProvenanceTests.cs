using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Runs;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using FamilyRegistry = ArchNotebooks.Library.Families.Families;

namespace Library.Tests.Studies;

/// <summary>
/// One config scheme for every run (config.model.*, config.train.*, config.data.*), regression studies that read
/// rmse the right way round, and families registered at run time.
/// </summary>
public sealed class ProvenanceTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("archnb-provenance-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>y = 3x on 90 rows of x in [-1, 1]: a linear model fits it, a model blind to x cannot.</summary>
    static TensorDataset Line()
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 90).reshape(90, 1);
        return Dataset.FromTensors(x, (x * 3).reshape(90), LossKind.Regression, new SplitOptions { Seed = 2 }, name: "line");
    }

    public sealed record LineConfig(int Width = 16, bool Blind = false);

    [Fact]
    public void A_study_on_a_dataset_logs_model_recipe_and_data_under_one_scheme()
    {
        using var data = Line();
        var training = new TrainConfig { Steps = 30, BatchSize = 16, LearningRate = 1e-2, EvalEvery = 0, LogEvery = 10 };
        using (var log = RunLog.Open(dir))
            new AblationStudy<LineConfig>("line-study", new LineConfig(), c => new TaskMlp(data, c.Width) { BlindToInput = c.Blind }, data, training) { Seeds = [4] }
                .Run(new RunLogExperimentLog(log, source: "ProvenanceTests"));
        using var read = RunLog.Open(dir);
        var row = read.Query("SELECT \"config.model.Width\", \"config.train.steps\", \"config.train.seed\", \"config.train.lr\", " +
                             "\"config.data.name\", \"config.data.loss\", \"config.data.train_examples\", \"config.data.validation_examples\", " +
                             "\"config.data.test_examples\", \"config.data.split_seed\", \"config.data.metric\", device FROM runs");
        Assert.Equal(1, row.RowCount);
        Assert.Equal(new object?[] { 16L, 30L, 4L, 1e-2, "line", "Regression", 63L, 9L, 18L, 2L, "rmse", "cpu" }, row.Rows[0]);
    }

    [Fact]
    public void A_synthetic_tasks_settings_and_a_shaped_family_config_are_logged()
    {
        var task = new CopyTask(symbols: 5, length: 3);
        var config = RunConfig.Of(new TransformerConfig(Dim: 16, Layers: 1, Heads: 2, MaxLen: 16), new TrainConfig { Steps = 7 }, task);
        var model = Assert.IsType<TransformerConfig>(config["model"]);
        Assert.Equal(task.VocabSize, model.Vocab);   // shaped for the task, as it was built
        var data = Assert.IsType<Dictionary<string, object?>>(config["data"]);
        Assert.Equal(5, data["Symbols"]);
        Assert.Equal(3, data["Length"]);
        Assert.Equal("PerToken", data["loss"]);
        var train = Assert.IsType<Dictionary<string, object?>>(config["train"]);
        Assert.Equal(7, train["steps"]);
        Assert.Equal("adamw", train["optimizer"]);
    }

    [Fact]
    public void A_regression_study_defaults_to_rmse_where_lower_is_better()
    {
        using var data = Line();
        var training = new TrainConfig { Steps = 150, BatchSize = 32, LearningRate = 2e-2, EvalEvery = 0, LogEvery = 50 };
        var study = new AblationStudy<LineConfig>("line", new LineConfig(), c => new TaskMlp(data, c.Width) { BlindToInput = c.Blind }, data, training)
            { Seeds = [0, 1, 2] }.Add("blind", c => c with { Blind = true });
        Assert.Equal(new[] { "test_rmse (lower is better)", "test_loss (lower is better)" }, study.Metrics.Select(m => m.ToString()));
        var table = study.Run().Table();
        Assert.Equal("test_rmse", table.Metric.Name);
        var (baseline, blind) = (table["baseline"], table["blind"]);
        Assert.True(baseline.Mean < 0.5 && blind.Mean > 1.0, table.ToText());   // the targets spread with a standard deviation of sqrt(3) ≈ 1.73
        // The blind model's larger error is a worse result: a negative change, and the baseline is the best.
        Assert.True(blind.RelativeImprovement < 0, table.ToText());
        Assert.True(baseline.IsBest && !blind.IsBest, table.ToText());
    }

    public sealed record WideConfig(int Dim = 8, string Label = "x") : IModelConfig
    {
        public ArchNotebooks.Library.Modules.Module<Tensor, Tensor> Build() => throw new NotSupportedException();
        public IModelConfig For(ISyntheticTask task) => this;
    }

    [Fact]
    public void Registered_families_are_found_by_name_replaced_on_reregistering_and_checked()
    {
        var name = "wide-" + Guid.NewGuid().ToString("N")[..6];
        FamilyRegistry.Register(name, new WideConfig(), widthField: "Dim");
        Assert.Equal(8, ((WideConfig)FamilyRegistry.Find(name.ToUpperInvariant())!.Default).Dim);
        FamilyRegistry.Register(name, new WideConfig(Dim: 12));   // re-running the cell replaces it
        Assert.Equal(12, ((WideConfig)FamilyRegistry.Find(name)!.Default).Dim);
        Assert.Null(FamilyRegistry.Find(name)!.WidthField);
        Assert.Contains(FamilyRegistry.Registered, r => r.Name == name);
        Assert.Contains("a width to scale must be a whole number", Assert.Throws<ArgumentException>(() => FamilyRegistry.Register(name, new WideConfig(), widthField: "Label")).Message);
        Assert.Contains("has no property 'Depth'", Assert.Throws<ArgumentException>(() => FamilyRegistry.Register(name, new WideConfig(), widthField: "Depth")).Message);
        Assert.Contains("a family name is a word", Assert.Throws<ArgumentException>(() => FamilyRegistry.Register("two words", new WideConfig())).Message);
        Assert.True(FamilyRegistry.Unregister(name));
        Assert.Null(FamilyRegistry.Find(name));
    }
}
