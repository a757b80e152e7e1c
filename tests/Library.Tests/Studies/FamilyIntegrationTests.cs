using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;

namespace Library.Tests.Studies;

/// <summary>The engine drives a family through its config interface: sanity checks, then every ablation point.</summary>
public class FamilyIntegrationTests
{
    [Fact]
    public void DeepSets_passes_the_sanity_suite_and_its_ablation_points_become_variants()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var baseline = new DeepSetsConfig(Hidden: 32, Pooling: SetPooling.Max);
        var report = SanitySuite.Run(() => baseline.For(task).Build(), task, new SanityOptions { BaselineSteps = 60 });
        Assert.True(report.AllPassed, report.ToString());

        var training = new TrainConfig { Steps = 60, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 0, EvalBatchSize = 128, LogEvery = 20 };
        var study = Ablation.OverAllPoints("deepsets-points", baseline, task, training);
        study.Seeds = new long[] { 0, 1 };
        var names = study.Variants.Select(v => v.name).ToList();
        Assert.Equal("baseline", names[0]);
        Assert.Contains("Pooling=Sum", names);
        Assert.Contains("Activation=tanh", names);
        var result = study.Run(new InMemoryExperimentLog());
        var table = result.Table();
        Assert.Equal(names, table.Rows.Select(r => r.Variant));
        Assert.All(table.Rows, r => Assert.Equal(2, r.N));
        Assert.True(table.Rows.Single(r => r.IsBest).Mean > 0.8, table.ToText());
    }
}
