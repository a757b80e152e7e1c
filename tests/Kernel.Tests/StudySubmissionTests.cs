using System.Diagnostics;
using System.Text.RegularExpressions;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Tests.Shared;
using ArchNotebooks.Tests.Shared.Slurm;
using Xunit.Abstractions;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>Tests that start a one-node Slurm: one at a time, since LocalSlurm points SLURM_CONF (process-wide) at its cluster.</summary>
[CollectionDefinition("slurm")]
public sealed class SlurmCollection;

/// <summary>
/// <c>#!arch ablate --submit slurm</c> and <c>#!arch study</c> through the kernel's script host, against a real
/// one-node Slurm: the gathered table equals the one the same study gives when it trains in the notebook.
/// </summary>
[Collection("slurm")]
public sealed partial class StudySubmissionTests(ITestOutputHelper output) : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("archnb-submit-").FullName;
    public void Dispose() => Directory.Delete(root, recursive: true);

    // 3 variants (the baseline and two recipes) x 2 seeds of a tiny DeepSets, 10 steps each.
    const string Model = "#!arch model deepsets --name m --task setmax --task-config digits=6,size=3 --config hidden=8";
    const string Grid = "--swap lr=3e-3,optimizer=sgd --seeds 2 --steps 10 --batch 16";

    static RecordedCell Run(ScriptSession session, string code)
    {
        var cell = new RecordedCell();
        cell.Error = session.ExecuteAsync(code, cell).GetAwaiter().GetResult();
        return cell;
    }

    /// <summary>The table of the same study trained in the notebook, into a run log of its own.</summary>
    string LocalTable(ScriptSession session, string name)
    {
        var local = Run(session, $"#!arch ablate m {Grid} --name {name} --runs {Path.Combine(root, "local")}");
        Assert.Null(local.Error);
        return (string)local.Displays[^1][MimeBundle.PlainText];
    }

    /// <summary>Polls <c>#!arch study</c> until no shard is queued or running; returns the last cell.</summary>
    RecordedCell Follow(ScriptSession session, string name, string runs, LocalSlurm slurm)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var cell = Run(session, $"#!arch study {name} --runs {runs}");
            Assert.True(cell.Error is null, cell.ErrorText);
            var progress = (string)cell.Displays[0][MimeBundle.PlainText];
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: {progress.Split('\n')[0]}");
            if (!progress.Contains(" queued") && !progress.Contains(" running")) return cell;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(240), $"the study did not finish in 4 minutes:\n{progress}\n{slurm.Logs()}");
            Thread.Sleep(1000);
        }
    }

    [SlurmFact]
    public void A_study_submitted_with_the_magic_gathers_into_the_table_of_the_local_run()
    {
        using var slurm = LocalSlurm.Start();
        using var session = new ScriptSession(root);
        Assert.Null(Run(session, Model).Error);
        var runs = Path.Combine(root, "runs");
        var submitted = Run(session, $"#!arch ablate m {Grid} --name sub --runs {runs} --submit slurm --cpus 1 --time 10");
        Assert.True(submitted.Error is null, submitted.ErrorText);
        output.WriteLine(submitted.Stdout);
        var plan = Path.Combine(runs, "studies", "sub", "plan.json");
        Assert.Contains($"Plan:   {plan}", submitted.Stdout);
        Assert.True(Regex.IsMatch(submitted.Stdout, @"Submitted study sub: 6 shards \(3 variants x 2 seeds on set-?max\) as Slurm job array \d+, tasks 0-5\."), submitted.Stdout);
        Assert.Contains($"Check:  #!arch study sub --runs {runs}", submitted.Stdout);
        Assert.Contains("#SBATCH --cpus-per-task=1", File.ReadAllText(Path.Combine(runs, "studies", "sub", "slurm", "shard.sbatch")));
        var local = LocalTable(session, "sub");   // while Slurm trains the shards

        var done = Follow(session, "sub", runs, slurm);
        Assert.Contains("6 finished of 6 shards", (string)done.Displays[0][MimeBundle.PlainText]);
        Assert.DoesNotContain("PARTIAL", done.Stdout);
        Assert.Equal(local, (string)done.Displays[^1][MimeBundle.PlainText]);

        // The same name again would mix two studies' rows in one table: refused, naming the way to follow the first.
        var again = Run(session, $"#!arch ablate m {Grid} --name sub --runs {runs} --submit slurm");
        Assert.Contains("a study named sub was already submitted", again.Error!.Value);
    }

    [SlurmFact]
    public void A_shard_cancelled_by_Slurm_reads_failed_and_resubmission_completes_the_table()
    {
        using var slurm = LocalSlurm.Start();
        using var session = new ScriptSession(root);
        Assert.Null(Run(session, Model).Error);
        var runs = Path.Combine(root, "runs");
        // Held at submission (--sbatch passes --hold through), so shard 5 can be cancelled before it ever runs.
        var submitted = Run(session, $"#!arch ablate m {Grid} --name held --runs {runs} --submit slurm --time 10 --sbatch \"--hold\"");
        Assert.True(submitted.Error is null, submitted.ErrorText);
        var job = JobId().Match(submitted.Stdout).Groups[1].Value;
        Scontrol(["scancel", $"{job}_5"]);
        Scontrol(["scontrol", "release", job]);
        var local = LocalTable(session, "held");

        var first = Follow(session, "held", runs, slurm);
        var progress = (string)first.Displays[0][MimeBundle.PlainText];
        Assert.Contains("5 finished, 1 failed of 6 shards", progress);
        Assert.Matches(@"shard +5 +optimizer=sgd seed 1: failed", progress);
        Assert.Contains("PARTIAL: 5 of 6 shards have finished", first.Stdout);
        Assert.Contains("INTERRUPTED", (string)first.Displays[^1][MimeBundle.PlainText]);

        var resubmitted = Run(session, $"#!arch study held --runs {runs} --resubmit");
        Assert.True(resubmitted.Error is null, resubmitted.ErrorText);
        var again = Regex.Match(resubmitted.Stdout, @"Resubmitted 1 shards of held \(5\) as Slurm job array (\d+)\.");
        Assert.True(again.Success, resubmitted.Stdout);
        // The last submission's resources came along, --hold included: the new array waits to be released.
        Assert.Contains("5 finished, 1 queued", (string)resubmitted.Displays[0][MimeBundle.PlainText]);
        var jobs = File.ReadAllLines(Path.Combine(runs, "studies", "held", "slurm", "jobs.tsv")).Select(l => l.Split('\t')).ToList();
        Assert.Equal([(job, "0,1,2,3,4,5"), (again.Groups[1].Value, "5")], jobs.Select(j => (j[0], j[1])));
        Scontrol(["scontrol", "release", again.Groups[1].Value]);

        var done = Follow(session, "held", runs, slurm);
        output.WriteLine(done.Text);
        Assert.Contains("6 finished of 6 shards", (string)done.Displays[0][MimeBundle.PlainText]);
        Assert.DoesNotContain("PARTIAL", done.Stdout);
        Assert.Equal(local, (string)done.Displays[^1][MimeBundle.PlainText]);
    }

    /// <summary>A config record declared in a cell lives in the kernel's in-memory assembly, which no shard process can load.</summary>
    const string CellFamily = """
        public sealed record CellSets(DeepSetsConfig Inner) : IModelConfig
        {
            public ArchNotebooks.Library.Modules.Module<Tensor, Tensor> Build() => Inner.Build();
            public IModelConfig For(ISyntheticTask task) => new CellSets((DeepSetsConfig)Inner.For(task));
        }
        Families.Register("cellsets", new CellSets(new DeepSetsConfig(Hidden: 8)));
        """;

    [SlurmFact]
    public void A_study_over_a_config_declared_in_a_cell_is_refused_with_the_reason_and_submits_nothing()
    {
        using var session = new ScriptSession(root);
        var defined = Run(session, CellFamily);
        Assert.True(defined.Error is null, defined.ErrorText);
        Assert.Null(Run(session, "#!arch model cellsets --name u --task setmax --task-config digits=6,size=3").Error);
        var runs = Path.Combine(root, "runs");
        var refused = Run(session, $"#!arch ablate u --swap lr=3e-3 --seeds 2 --steps 2 --name cell --runs {runs} --submit slurm");
        Assert.NotNull(refused.Error);
        Assert.Contains("is of type CellSets, declared in a notebook cell", refused.Error!.Value);
        Assert.Contains("Leave out --submit to train this study here", refused.Error.Value);
        Assert.False(File.Exists(Path.Combine(runs, "studies", "cell", "plan.json")));
        Assert.False(Directory.Exists(Path.Combine(runs, "studies", "cell", "slurm")));

        var unknown = Run(session, $"#!arch study cell --runs {runs}");
        Assert.Contains($"no study has been submitted into {runs}", unknown.Error!.Value);
    }

    [SlurmFact]
    public void A_scaling_study_that_sbatch_refuses_leaves_no_plan_behind()
    {
        // No cluster runs here (SLURM_CONF unset, no /etc/slurm/slurm.conf): sbatch fails, after the plan was written.
        Assert.Null(Environment.GetEnvironmentVariable("SLURM_CONF"));
        using var session = new ScriptSession(root);
        var runs = Path.Combine(root, "runs");
        var refused = Run(session, $"#!arch scale deepsets --task setmax --task-config digits=6,size=3 --sizes 4,8 --seeds 1 --steps 2 --runs {runs} --submit slurm");
        Assert.NotNull(refused.Error);
        Assert.Contains("sbatch refused study deepsets-scaling", refused.Error!.Value);
        Assert.False(File.Exists(Path.Combine(runs, "studies", "deepsets-scaling", "plan.json")));
        Assert.Contains("no study has been submitted", Run(session, $"#!arch study deepsets-scaling --runs {runs}").Error!.Value);
    }

    void Scontrol(string[] command)
    {
        var (code, text) = ChildProcess.Run(command[0], command[1..], root, timeoutSeconds: 30);
        Assert.True(code == 0, $"{string.Join(' ', command)} exited {code}: {text}");
    }

    [GeneratedRegex(@"as Slurm job array (\d+),")]
    private static partial Regex JobId();
}
