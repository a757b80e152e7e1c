using System.Runtime.Loader;
using System.Text.Json;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Studies.Plans;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Runs;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Studies;

/// <summary>A config type whose build the plan tests load a second time from bytes, as a notebook cell's assembly is.</summary>
public sealed record CellConfig(int Hidden = 8) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new DeepSetsConfig(Hidden: Hidden).Build();
    public IModelConfig For(ISyntheticTask task) => this;
}

/// <summary>Studies written as plans, trained shard by shard, and gathered from the run log.</summary>
public sealed class StudyPlanTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("archnb-plan-").FullName;
    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly TrainConfig Tiny = new() { Steps = 10, EvalEvery = 0, BatchSize = 16, EvalBatches = 1, EvalBatchSize = 64, LogEvery = 5 };

    /// <summary>3 variants (an architecture change and a recipe change) x 2 seeds of a tiny DeepSets on setmax.</summary>
    public static AblationStudy<DeepSetsConfig> SmallAblation()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var study = Ablation.Of("plan-ablation", new DeepSetsConfig(Hidden: 8), task, Tiny)
            .Add("hidden-4", c => c with { Hidden = 4 })
            .AddRecipe("lr-3e-3", t => t with { LearningRate = 3e-3 });
        study.Seeds = [0, 1];
        study.Family = "deepsets";
        study.BootstrapResamples = 500;
        return study;
    }

    [Fact]
    public void Shards_trained_one_by_one_gather_into_the_table_of_the_in_process_study()
    {
        var study = SmallAblation();
        var local = study.Run();
        var plan = StudyPlan.Write(study, Path.Combine(root, "runs"));

        var reread = StudyPlan.Read(plan.Path!);
        Assert.Equal(6, reread.Shards.Count);
        Assert.Equal(Path.Combine(root, "runs"), reread.RunsDirectory);
        Assert.Equal(["baseline", "hidden-4", "lr-3e-3"], reread.Variants);
        Assert.Equal(3e-3, reread.Shards[4].Training.GetProperty("LearningRate").GetDouble());
        Assert.Equal(4, reread.Shards[2].Config.GetProperty("Hidden").GetInt32());
        Assert.Equal("plan-ablation/hidden-4/seed 0", reread.Shards[2].RunName);

        using (var log = RunLog.Open(reread.RunsDirectory))
        {
            var before = new StudyProgressReport(reread, log);
            Assert.Equal(6, before.Count(StudyProgressReport.NotSubmitted));
        }
        // Backwards, so the gathered order cannot come from the order the shards ran in.
        for (int i = reread.Shards.Count - 1; i >= 0; i--) Assert.NotNull(ShardRunner.Run(reread, i));

        using var runs = RunLog.Open(reread.RunsDirectory);
        var report = new StudyProgressReport(reread, runs);
        Assert.True(report.Complete, report.ToString());
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal(ShardStatus.Finished, ShardStatus.Read(reread, i)!.State));
        var gathered = report.Ablation();
        Assert.False(gathered.Interrupted);
        Assert.Equal(local.ToString(), gathered.ToString());
        foreach (var variant in reread.Variants)
            foreach (var metric in study.Metrics)
                Assert.Equal(local[variant].Values(metric.Name), gathered[variant].Values(metric.Name));
    }

    [Fact]
    public void A_scaling_plan_gathers_the_same_fit()
    {
        var task = new SetSumTask(digits: 4, size: 3);
        var study = Scaling.Of("plan-scaling", [("hidden=4", new DeepSetsConfig(Hidden: 4)), ("hidden=8", new DeepSetsConfig(Hidden: 8))], task, Tiny);
        study.Seeds = [3];
        var local = study.Run();
        var plan = StudyPlan.Write(study, Path.Combine(root, "runs"));
        Assert.Equal(StudyPlan.ScalingKind, plan.Kind);
        ShardRunner.Run(plan, 1);
        using (var log = RunLog.Open(plan.RunsDirectory))
        {
            var partial = new StudyProgressReport(plan, log);
            Assert.Equal([ShardStatus.Finished], partial.Shards.Where(s => s.Index == 1).Select(s => s.State));
            Assert.Equal(StudyProgressReport.NotSubmitted, partial.Shards[0].State);
            Assert.False(partial.EnoughFor());
            Assert.True(partial.Scaling().Interrupted);
        }
        ShardRunner.Run(plan, 0);
        using var runs = RunLog.Open(plan.RunsDirectory);
        Assert.Equal(local.ToString(), new StudyProgressReport(plan, runs).Scaling().ToString());
    }

    [Fact]
    public void A_config_from_an_in_memory_assembly_cannot_be_submitted_and_the_error_says_why()
    {
        // A notebook cell's types live in an assembly loaded from bytes, which no other process can load.
        var context = new AssemblyLoadContext("cell", isCollectible: true);
        try
        {
            using var bytes = File.OpenRead(typeof(CellConfig).Assembly.Location);
            var type = context.LoadFromStream(bytes).GetType(typeof(CellConfig).FullName!)!;
            var config = (IModelConfig)Activator.CreateInstance(type, 8)!;
            var study = Ablation.Of<IModelConfig>("cell", config, new SetMaxTask(digits: 6, size: 3), Tiny);
            var error = Assert.Throws<NotSupportedException>(() => StudyPlan.Of(study, "runs"));
            Assert.Contains("CellConfig", error.Message);
            Assert.Contains("notebook cell", error.Message);
            Assert.Contains("shard process cannot load it", error.Message);
        }
        finally { context.Unload(); }
    }

    [Fact]
    public void A_study_with_a_model_function_cannot_be_submitted()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var study = new AblationStudy<DeepSetsConfig>("function", new DeepSetsConfig(), c => c.For(task).Build(), task, Tiny);
        var error = Assert.Throws<NotSupportedException>(() => StudyPlan.Of(study, "runs"));
        Assert.Contains("makes its models with a function", error.Message);
        Assert.Contains("Ablation.Of", error.Message);
    }

    [Fact]
    public void A_plan_rejects_a_bad_index_and_a_file_that_is_not_a_plan()
    {
        var plan = StudyPlan.Write(SmallAblation(), Path.Combine(root, "runs"));
        Assert.Contains("shards 0 to 5, not 6", Assert.Throws<ArgumentOutOfRangeException>(() => plan.Shard(6)).Message);
        var other = Path.Combine(root, "other.json");
        File.WriteAllText(other, JsonSerializer.Serialize(new { format = "something-else/1" }));
        Assert.Contains("is not a study plan", Assert.Throws<InvalidDataException>(() => StudyPlan.Read(other)).Message);
    }

    [Fact]
    public void Every_library_task_round_trips_through_its_reference()
    {
        ISyntheticTask[] tasks = [new CopyTask(symbols: 5, length: 6), new SetSumTask(digits: 4, size: 3), new ParityTask(), new ModularAdditionTask(),
            new AssociativeRecallTask(), new InductionHeadsTask(), new RotatedShapesTask(), new MovingShapesVideoTask(), new ShortestPathTask()];
        foreach (var task in tasks)
        {
            var reference = PortableValues.Task(task, task.Name);
            var rebuilt = PortableValues.ReadTask(reference, task.Name);
            Assert.Equal(task.Description, rebuilt.Description);
            Assert.Equal(task.GetType(), rebuilt.GetType());
        }
    }
}
