using System.Globalization;
using System.Text.RegularExpressions;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Studies.Plans;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>--submit slurm</c> on <c>#!arch ablate</c> and <c>#!arch scale</c>: instead of training here, the study's
/// plan goes next to the run log and its shards to Slurm as one job array; <c>#!arch study NAME</c> follows it.
/// </summary>
public static partial class StudySubmission
{
    public const string Scheduler = "slurm";

    static readonly string[] ResourceOptions = ["partition", "time", "cpus", "gpus", "sbatch"];

    /// <summary>What Slurm is asked for per shard; also taken by <c>#!arch study --resubmit</c>.</summary>
    public static readonly OptionSpec[] Resources =
    [
        new("partition", "name", "Slurm partition for the shards (with --submit slurm or --resubmit)"),
        new("time", "limit", "wall-clock limit per shard in sbatch's syntax: minutes, h:mm:ss or d-hh (with --submit slurm or --resubmit)"),
        new("cpus", "n", "CPUs per shard, sbatch --cpus-per-task (with --submit slurm or --resubmit)", Values.Int(1, 100_000)),
        new("gpus", "n", "GPUs per shard, sbatch --gres=gpu:n (with --submit slurm or --resubmit)", Values.Int(1, 1_000)),
        new("sbatch", "\"args\"", "more sbatch arguments, quoted, e.g. \"--account=lab --qos=short\" (with --submit slurm or --resubmit)"),
    ];

    /// <summary>The options a study line gains: --submit and the resources.</summary>
    public static readonly OptionSpec[] Options =
    [
        new("submit", "scheduler", "do not train here: write the study's plan next to the run log and submit one Slurm job array, a task per variant (or size) and seed; follow it with #!arch study NAME (slurm is the one scheduler)"),
        .. Resources,
    ];

    /// <summary>The line's --submit request, checked whole (scheduler, resources, options that cannot go with it), or null without --submit.</summary>
    public static SlurmOptions? Parse(ParsedLine line, string where, string study)
    {
        if (!line.Has("submit"))
        {
            if (ResourceOptions.FirstOrDefault(line.Has) is { } stray)
                throw new ArchUsageException($"{where}: --{stray} applies only with --submit slurm; without --submit the study trains here, in the notebook.");
            return null;
        }
        var scheduler = line.Get<string>("submit")!;
        if (!string.Equals(scheduler, Scheduler, StringComparison.OrdinalIgnoreCase))
            throw new ArchUsageException($"{where}: bad value for --submit: '{scheduler}'; archnb submits to slurm (other array schedulers can run the plan's JSON: see the README, \"Running studies on a cluster\").");
        if (line.Flag("no-log"))
            throw new ArchUsageException($"{where}: --submit with --no-log: a submitted study's shards record into the run log, which is where #!arch study gathers its table; leave out --no-log.");
        if (line.Has("result"))
            throw new ArchUsageException($"{where}: --submit with --result: the result exists only once the shards finish; bind it then with #!arch study {Quote(study)} --result {line.Get<string>("result")}.");
        var options = Resourced(line, where, new SlurmOptions());
        RequireSlurmHere(where);
        return options;
    }

    /// <summary><paramref name="start"/> with the line's --partition, --time, --cpus, --gpus and --sbatch laid over it.</summary>
    public static SlurmOptions Resourced(ParsedLine line, string where, SlurmOptions start)
    {
        var time = line.Get<string>("time");
        if (time is not null && !SlurmTime().IsMatch(time))
            throw new ArchUsageException($"{where}: bad value for --time: '{time}'; sbatch takes minutes (30), [h:]mm:ss (1:00:00) or days-hours[:mm[:ss]] (1-12).");
        var extra = line.Get<string>("sbatch") is { } text ? CommandLineParser.Tokenize(text).Select(t => t.Text).ToList() : null;
        if (extra?.FirstOrDefault(a => a is "-a" or "--array" || a.StartsWith("--array=", StringComparison.Ordinal) || a.StartsWith("--wrap", StringComparison.Ordinal)) is { } taken)
            throw new ArchUsageException($"{where}: --sbatch {taken}: archnb sets the array itself (one task per shard) and the script each task runs; pass other sbatch options.");
        return start with
        {
            Partition = line.Get<string>("partition") ?? start.Partition,
            Time = time ?? start.Time,
            Cpus = line.Value<int>("cpus") ?? start.Cpus,
            Gpus = line.Value<int>("gpus") ?? start.Gpus,
            Sbatch = extra ?? start.Sbatch,
        };
    }

    /// <summary>sbatch on PATH, and an archnb.dll beside this process for the shards to run.</summary>
    public static void RequireSlurmHere(string where)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "sbatch"))))
            throw new ArchUsageException($"{where}: sbatch is not on PATH, so nothing can be submitted from this kernel: run the notebook where Slurm's commands are (a login node), or leave out --submit to train here.");
        try { _ = SlurmArray.ThisBuild(); }
        catch (InvalidOperationException e) { throw new ArchUsageException($"{where}: {e.Message}"); }
    }

    /// <summary>The work of an ablation line with --submit: build the study (checking every variant), then <see cref="Submit"/> its plan.</summary>
    public static Func<ArchInvocation, Task> Work(string where, string name, string runs, SlurmOptions options, Func<AblationStudy<IModelConfig>> study) => run =>
    {
        var built = study();
        Submit(run, where, name, runs, dir => StudyPlan.Write(built, dir), options);
        return Task.CompletedTask;
    };

    /// <summary>The work of a scaling line with --submit: build the study (checking every size), then <see cref="Submit"/> its plan.</summary>
    public static Func<ArchInvocation, Task> Work(string where, string name, string runs, SlurmOptions options, Func<ScalingStudy<IModelConfig>> study) => run =>
    {
        var built = study();
        Submit(run, where, name, runs, dir => StudyPlan.Write(built, dir), options);
        return Task.CompletedTask;
    };

    /// <summary>
    /// Writes the plan (refusing a study name the run log already uses, whose rows would mix into the table),
    /// submits every shard as one array, and says where the plan is, the job id and how to follow it.
    /// </summary>
    /// <param name="write">Writes the study's plan into the run-log directory it is given.</param>
    public static void Submit(ArchInvocation run, string where, string study, string runs, Func<string, StudyPlan> write, SlurmOptions options)
    {
        var path = StudyPlan.DefaultPath(runs, study);
        var follow = $"#!arch study {Quote(study)}{RunsArgument(run.Line)}";
        if (File.Exists(path))
            throw new ArchUsageException($"{where}: a study named {study} was already submitted into {runs} (plan {path}); follow it with {follow}, resubmit its failed shards with {follow} --resubmit, or give this study another --name.");
        if (Directory.Exists(runs))
        {
            using var log = RunLogs.Open(runs, where);
            if (log.RunsOfGroup(study).Count > 0)
                throw new ArchUsageException($"{where}: the run log in {runs} already holds runs of a study named {study} (trained here earlier?); a submitted study gathers its table from the log by name, so give this one another --name.");
        }
        StudyPlan plan;
        try { plan = write(runs); }
        catch (NotSupportedException e)
        {
            throw new ArchUsageException($"{where} --submit: {e.Message} Leave out --submit to train this study here, in the notebook.");
        }
        string job;
        try { job = SlurmArray.Submit(plan, options); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            File.Delete(plan.Path!);   // nothing was submitted: the name stays free for the next try
            throw new ArchUsageException($"{where}: {e.Message}");
        }
        var shape = $"{plan.Variants.Count} {(plan.Kind == StudyPlan.ScalingKind ? "sizes" : "variants")} x {plan.Seeds.Count} seeds on {plan.Task}";
        run.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Submitted study {study}: {plan.Shards.Count} shards ({shape}) as Slurm job array {job}, tasks {SlurmArray.ArraySpec(Enumerable.Range(0, plan.Shards.Count).ToList())}.\n" +
            $"Plan:   {plan.Path}\n" +
            $"Output: {Path.Combine(plan.Directory, "slurm")}{Path.DirectorySeparatorChar}{job}_<shard>.out\n" +
            $"Check:  {follow}   (progress, then the table; squeue --jobs {job} from a shell)"));
    }

    /// <summary>" --runs DIR" when the line named its run log, so the printed command finds the same one.</summary>
    public static string RunsArgument(ParsedLine line) => line.Get<string>("runs") is { } dir ? $" --runs {Quote(dir)}" : "";

    static string Quote(string word) => word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? $"\"{word.Replace("\"", "\\\"")}\"" : word;

    // minutes | minutes:seconds | hours:minutes:seconds | days-hours[:minutes[:seconds]] | unlimited
    [GeneratedRegex(@"^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|(?i:unlimited|infinite))$")]
    private static partial Regex SlurmTime();
}
