using System.CommandLine;
using ArchNotebooks.Library.Studies.Plans;

namespace ArchNotebooks.Kernel.Cli;

/// <summary>
/// <c>archnb shard PLAN INDEX</c>: trains shard INDEX of a study plan (what a Slurm array task or a
/// Kubernetes indexed pod runs) into the plan's run log. Exit 0 finished, 1 failed, 3 interrupted.
/// </summary>
internal static class ShardCommand
{
    public static Command Create()
    {
        var plan = new Argument<FileInfo>("plan") { Description = "the study's plan.json (written by --submit or StudyPlan.Write)" };
        var index = new Argument<int>("index") { Description = "which shard, from 0 (Slurm: $SLURM_ARRAY_TASK_ID; Kubernetes: $JOB_COMPLETION_INDEX)" };
        var command = new Command("shard", "train one shard of a study plan into its run log") { plan, index };
        command.SetAction(parse => Run(parse.GetValue(plan)!.FullName, parse.GetValue(index)));
        return command;
    }

    static int Run(string path, int index)
    {
        StudyPlan plan;
        try { plan = StudyPlan.Read(path); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"archnb shard: {e.Message}");
            return 2;
        }
        if (index < 0 || index >= plan.Shards.Count)
        {
            Console.Error.WriteLine($"archnb shard: study {plan.Study} has shards 0 to {plan.Shards.Count - 1}, not {index}");
            return 2;
        }
        var shard = plan.Shards[index];
        Console.WriteLine($"study {plan.Study}: shard {index} of {plan.Shards.Count} ({shard.Variant}, seed {shard.Seed}) into {plan.RunsDirectory}");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        try
        {
            var run = ShardRunner.Run(plan, index, cancel.Token);
            if (run is null) { Console.WriteLine("interrupted"); return 3; }
            Console.WriteLine(string.Join(", ", run.Metrics.Select(m => $"{m.Key} {m.Value:G6}")));
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"archnb shard: shard {index} failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
