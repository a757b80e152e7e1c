using System.Diagnostics;
using ArchNotebooks.Kernel.Tests.Support;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Studies.Plans;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Runs;
using ArchNotebooks.Tests.Shared;
using ArchNotebooks.Tests.Shared.Slurm;
using Xunit.Abstractions;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>Study shards trained by other processes: <c>archnb shard</c> children, and a real Slurm's job array.</summary>
[Collection("slurm")]
public sealed class StudyShardTests(ITestOutputHelper output) : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("archnb-shards-").FullName;
    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly TrainConfig Tiny = new() { Steps = 10, EvalEvery = 0, BatchSize = 16, EvalBatches = 1, EvalBatchSize = 64, LogEvery = 5 };

    /// <summary>3 variants x 2 seeds of a tiny DeepSets: an architecture variant and a recipe variant.</summary>
    static AblationStudy<DeepSetsConfig> Study(string name, TrainConfig training)
    {
        var study = Ablation.Of(name, new DeepSetsConfig(Hidden: 8), new SetMaxTask(digits: 6, size: 3), training)
            .Add("hidden-4", c => c with { Hidden = 4 })
            .AddRecipe("lr-3e-3", t => t with { LearningRate = 3e-3 });
        study.Seeds = [0, 1];
        study.Family = "deepsets";
        study.BootstrapResamples = 500;
        return study;
    }

    static string[] ShardArgs(StudyPlan plan, int index) => [Repo.ArchnbDll, "shard", plan.Path!, index.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    [Fact]
    public void Shards_run_by_archnb_shard_processes_gather_into_the_table_of_the_local_run()
    {
        var study = Study("shards", Tiny);
        var local = study.Run();
        var plan = StudyPlan.Write(study, Path.Combine(root, "runs"));
        // Two at a time: concurrent writers into one run log, as on a cluster.
        Parallel.For(0, plan.Shards.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var (code, text) = ChildProcess.Run("dotnet", ShardArgs(plan, i), root, timeoutSeconds: 120);
            Assert.True(code == 0, $"shard {i} exited {code}:\n{text}");
            Assert.Contains($"shard {i} of 6", text);
        });
        using var log = RunLog.Open(plan.RunsDirectory);
        var report = new StudyProgressReport(plan, log);
        Assert.True(report.Complete, report.ToString());
        Assert.Equal(local.ToString(), report.Ablation().ToString());
    }

    [Fact]
    public void A_killed_shard_reads_interrupted_and_running_it_again_completes_the_study()
    {
        // A shard of seconds: killed within 50 ms of its run row appearing, it is surely mid-run; run again, it ends soon.
        var study = Ablation.Of("killed", new DeepSetsConfig(Hidden: 8), new SetMaxTask(digits: 6, size: 3), Tiny with { Steps = 1000, LogEvery = 100 });
        study.Seeds = [0];
        var plan = StudyPlan.Write(study, Path.Combine(root, "runs"));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in ShardArgs(plan, 0)) info.ArgumentList.Add(a);
        using (var shard = Process.Start(info)!)
        {
            var clock = Stopwatch.StartNew();
            // The run's row is on disk once its directory holds run.parquet: then training is under way.
            while (!Directory.Exists(plan.RunsDirectory) || !Directory.EnumerateFiles(plan.RunsDirectory, "run.parquet", SearchOption.AllDirectories).Any())
            {
                // Read stderr only when failing: ReadToEnd blocks until the shard exits.
                if (shard.HasExited) Assert.Fail($"the shard ended before it was killed: {shard.StandardError.ReadToEnd()}");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(180), "the shard recorded no run within 3 minutes");
                Thread.Sleep(50);
            }
            output.WriteLine($"run recorded after {clock.Elapsed.TotalSeconds:F1} s; killing the shard");
            shard.Kill();   // SIGKILL: no handler runs, as when a node dies or Slurm's grace period ends
            shard.WaitForExit();
        }
        using (var log = RunLog.Open(plan.RunsDirectory))
        {
            var report = new StudyProgressReport(plan, log);
            Assert.Equal(ShardStatus.Interrupted, report.Shards[0].State);
            Assert.Equal([0], report.Unfinished);
            Assert.Contains("0 finished", report.ToString());
            Assert.Contains("1 interrupted", report.ToString());
            Assert.True(report.Ablation().Interrupted);
        }
        var (code, text) = ChildProcess.Run("dotnet", ShardArgs(plan, 0), root, timeoutSeconds: 300);
        Assert.True(code == 0, text);
        using (var log = RunLog.Open(plan.RunsDirectory))
        {
            var report = new StudyProgressReport(plan, log);
            Assert.True(report.Complete, report.ToString());
            Assert.Single(report.Ablation()["baseline"].Runs);
            Assert.Equal(2, log.RunsOfGroup("killed").Count);   // the interrupted attempt stays in the log
        }
    }

    [SlurmFact]
    public void A_study_submitted_as_a_Slurm_job_array_gathers_into_the_table_of_the_local_run()
    {
        using var slurm = LocalSlurm.Start();
        var study = Study("slurm", Tiny);
        var plan = StudyPlan.Write(study, Path.Combine(root, "runs"));
        var job = SlurmArray.Submit(plan, new SlurmOptions { Cpus = 1, Time = "10" });
        var local = study.Run();   // while Slurm trains the shards
        var (submitted, jobs) = SlurmArray.Submitted(plan);
        Assert.Equal([job], jobs);
        Assert.Equal(6, submitted.Count);
        Assert.Contains("\"$SLURM_ARRAY_TASK_ID\"", File.ReadAllText(Path.Combine(plan.Directory, "slurm", "shard.sbatch")));
        var clock = Stopwatch.StartNew();
        StudyProgressReport report;
        while (true)
        {
            using var log = RunLog.Open(plan.RunsDirectory);
            var queue = SlurmArray.Queue(plan);
            Assert.NotNull(queue);
            report = new StudyProgressReport(plan, log, queue, submitted);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: {report.ToString().Split('\n')[0]}");
            if (report.Complete || report.Count(ShardStatus.Failed) > 0) break;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(240), $"the array did not finish in 4 minutes:\n{report}\n{slurm.Logs()}\n{Outputs(plan)}");
            Thread.Sleep(1000);
        }
        Assert.True(report.Complete, $"{report}\n{Outputs(plan)}");
        Assert.Equal(local.ToString(), report.Ablation().ToString());
        Assert.Equal(6, Directory.GetFiles(Path.Combine(plan.Directory, "slurm"), $"{job}_*.out").Length);
    }

    static string Outputs(StudyPlan plan) => string.Join("\n", Directory.GetFiles(Path.Combine(plan.Directory, "slurm"), "*.out")
        .Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
}
