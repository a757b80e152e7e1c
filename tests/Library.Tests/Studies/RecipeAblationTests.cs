using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;

namespace Library.Tests.Studies;

/// <summary>Recipe variants in an ablation: the baseline model, trained under a changed recipe, over the same seeds.</summary>
public class RecipeAblationTests
{
    [Fact]
    public void A_recipe_variant_trains_the_baseline_model_with_its_own_recipe()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var baseline = new DeepSetsConfig(Hidden: 16).For(task);
        var training = new TrainConfig { Steps = 12, EvalEvery = 0, BatchSize = 16, EvalBatches = 1, EvalBatchSize = 64 };
        var study = Ablation.Of("recipe", baseline, task, training)
            .AddRecipe("lion-short", t => t with { Optimizer = OptimizerKind.Lion, LearningRate = 3e-4, Steps = 7 });
        study.Seeds = new long[] { 0, 1 };
        var log = new InMemoryExperimentLog();
        var result = study.Run(log);
        Assert.Equal(new[] { "baseline", "lion-short" }, study.Variants.Select(v => v.name));
        Assert.Same(study.Variants[0].config, study.Variants[1].config);   // the same model config
        Assert.Equal(OptimizerKind.Lion, study.TrainingOf("lion-short").Optimizer);
        Assert.Equal(training, study.TrainingOf("baseline"));
        var steps = log.Runs.GroupBy(r => r.Info.Variant).ToDictionary(g => g.Key, g => g.Select(r => r.History("train_loss").Count()).Distinct().Single());
        Assert.Equal(12, steps["baseline"]);
        Assert.Equal(7, steps["lion-short"]);
        Assert.Equal(2, result.Table(MetricSpec.TestAccuracy).Rows.Count);
        Assert.Contains("Momentum", Assert.Throws<ArgumentException>(() => study.AddRecipe("bad", t => t with { Momentum = 2 })).Message);
    }
}
