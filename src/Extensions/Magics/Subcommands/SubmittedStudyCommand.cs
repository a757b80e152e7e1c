using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Studies.Plans;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch study NAME</c>: a submitted study read back from Slurm's queue, the shards' status files and the
/// run log: where each shard stands, then the ablation table or scaling fit of the finished shards (the same
/// one the study gives run here, from the same seeds), marked partial until every shard has finished.
/// </summary>
public sealed class SubmittedStudyCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("study", "a submitted study (#!arch ablate/scale --submit slurm): shard progress, then its table or fit; --resubmit reruns failed shards",
        [new ArgumentSpec("name", "the study's name (its --name, by default <model>-ablation or <family>-scaling)")],
        [
            RunsOption,
            new OptionSpec("resubmit", null, "submit the failed, interrupted and never-submitted shards again, as one new job array (with the last submission's resources unless given anew)"),
            .. StudySubmission.Resources,
            new OptionSpec("result", "var", "bind the AblationResult or ScalingResult of the finished shards to this variable"),
        ],
        [
            new("#!arch study big", "progress of study big's shards; its ablation table once they finish (partial before)"),
            new("#!arch study big --resubmit --time 2:00:00", "run the failed and interrupted shards again, with a longer time limit"),
            new("#!arch study transformer-scaling --runs /shared/runs --result fit", "a study in another run log; bind the scaling fit"),
        ])
    {
        Notes = "The plan lives at RUNS/studies/NAME/plan.json; each Slurm array task runs archnb shard PLAN INDEX. A shard counts as finished once " +
                "its run is recorded finished in the run log; one Slurm no longer holds that recorded nothing reads as failed (see its .out file beside the plan).",
    };

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("name")!;
        var runs = ArchPlan.RunsDirectory(line);
        bool resubmit = line.Flag("resubmit");
        if (!resubmit && new[] { "partition", "time", "cpus", "gpus", "sbatch" }.FirstOrDefault(line.Has) is { } stray)
            throw new ArchUsageException($"{Where}: --{stray} applies only with --resubmit.");
        var overrides = resubmit ? StudySubmission.Resourced(line, Where, new SlurmOptions()) : null;
        if (resubmit) StudySubmission.RequireSlurmHere(Where);
        var bind = line.Get<string>("result") is { } r ? Identifier(r, "--result") : null;
        return async run =>
        {
            var study = Find(runs, name, line);
            var report = Read(study);
            if (resubmit)
            {
                var again = report.Unfinished.Concat(report.Shards.Where(s => s.State == StudyProgressReport.NotSubmitted).Select(s => s.Index)).Order().ToList();
                if (again.Count == 0)
                    run.Out.WriteLine($"Nothing to resubmit: no shard of {study.Study} has failed or been interrupted.");
                else
                {
                    var options = SlurmArray.LastOptions(study) ?? new SlurmOptions();
                    options = StudySubmission.Resourced(line, Where, options with { ShardCommand = null });
                    string job;
                    try { job = SlurmArray.Submit(study, options, again); }
                    catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { throw new ArchUsageException($"{Where}: {e.Message}"); }
                    run.Out.WriteLine($"Resubmitted {again.Count} shards of {study.Study} ({string.Join(", ", again)}) as Slurm job array {job}.");
                    report = Read(study);
                }
            }
            run.Display(report.ToString());
            if (report.Count(ShardStatus.Finished) == 0) return;
            if (!report.Complete)
                run.Out.WriteLine($"PARTIAL: {report.Count(ShardStatus.Finished)} of {report.Shards.Count} shards have finished; the {(study.Kind == StudyPlan.ScalingKind ? "fit" : "table")} below holds only their seeds.");
            object result = study.Kind == StudyPlan.ScalingKind ? report.Scaling() : report.Ablation();
            run.Display(result);
            if (bind is not null) await run.BindAsync(bind, result);
        };
    }

    /// <summary>The study's plan, or an error naming the studies submitted into that run log.</summary>
    StudyPlan Find(string runs, string name, ParsedLine line)
    {
        var path = StudyPlan.DefaultPath(runs, name);
        if (File.Exists(path))
        {
            try { return StudyPlan.Read(path); }
            catch (InvalidDataException e) { throw new ArchUsageException($"{Where}: {e.Message}"); }
        }
        var studies = Path.Combine(runs, "studies");
        var known = Directory.Exists(studies)
            ? Directory.GetDirectories(studies).Where(d => File.Exists(Path.Combine(d, "plan.json"))).Select(Path.GetFileName).Order().ToList()
            : [];
        throw new ArchUsageException(known.Count == 0
            ? $"{Where}: no study has been submitted into {runs} (#!arch ablate or scale with --submit slurm writes one){(line.Has("runs") ? "" : "; --runs DIR reads another run log")}."
            : $"{Where}: no submitted study named {name} in {runs}.{Suggestions.DidYouMean(name, known!)} Submitted there: {string.Join(", ", known)}.");
    }

    StudyProgressReport Read(StudyPlan study)
    {
        var (submitted, _) = SlurmArray.Submitted(study);
        // squeue first: a shard that finishes between the two reads then shows as finished, not as vanished.
        var queue = SlurmArray.Queue(study);
        using var log = RunLogs.Open(study.RunsDirectory, Where);
        try { return new StudyProgressReport(study, log, queue, submitted); }
        catch (DuckDbException e) { throw new ArchUsageException($"{Where}: reading the run log in {study.RunsDirectory} failed: {e.Message}"); }
    }
}
