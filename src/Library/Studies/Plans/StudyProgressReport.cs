using System.Globalization;
using System.Text;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Library.Studies.Plans;

/// <summary>Where one shard stands: queued, running, finished, failed or interrupted (or not submitted).</summary>
public sealed record ShardProgress(int Index, string Variant, long Seed, string State, string? Detail, RunRecord? Run);

/// <summary>
/// A submitted study read back from the run log, the shards' status files and (when given) the
/// scheduler's queue: each shard's state, and the ablation table or scaling fit of the finished shards,
/// computed exactly as the in-process study computes them from the same seeds.
/// </summary>
public sealed class StudyProgressReport
{
    public const string Queued = "queued", NotSubmitted = "not submitted";

    public StudyPlan Plan { get; }
    public IReadOnlyList<ShardProgress> Shards { get; }

    /// <param name="queue">The scheduler's word on shards it still holds: index → <see cref="Queued"/> or <see cref="ShardStatus.Running"/>.</param>
    /// <param name="submitted">Shards handed to a scheduler; those it no longer holds and that never recorded anything count as failed.</param>
    public StudyProgressReport(StudyPlan plan, RunLog log, IReadOnlyDictionary<int, string>? queue = null, IReadOnlySet<int>? submitted = null)
    {
        Plan = plan;
        var rows = log.RunsOfGroup(plan.Study);
        Shards = plan.Shards.Select(s => Progress(s, rows, queue, submitted)).ToList();
    }

    ShardProgress Progress(StudyShard shard, IReadOnlyList<RunRecord> rows, IReadOnlyDictionary<int, string>? queue, IReadOnlySet<int>? submitted)
    {
        var row = rows.Where(r => r.Variant == shard.Variant && r.Seed == shard.Seed).MaxBy(r => r.StartTime);
        var file = ShardStatus.Read(Plan, shard.Index);
        string? scheduler = queue?.GetValueOrDefault(shard.Index);
        ShardProgress With(string state, string? detail = null) => new(shard.Index, shard.Variant, shard.Seed, state, detail, row);
        if (row?.Status == RunStatus.Finished) return With(ShardStatus.Finished);
        // A shard queued again after a failure is queued, whatever its last run said.
        if (scheduler == Queued) return With(Queued, row is null ? null : $"resubmitted after {row.Status.ToText()}");
        // The status file is written before the run starts: when it is newer, it speaks for this attempt.
        bool fileIsNewer = file is not null && (row is null || file.Started > row.StartTime.ToUniversalTime().AddSeconds(1));
        if (fileIsNewer && file!.State == ShardStatus.Failed) return With(ShardStatus.Failed, file.Error);
        if (fileIsNewer && file!.State == ShardStatus.Running)
            return scheduler == ShardStatus.Running || WriterAlive(file) ? With(ShardStatus.Running, "starting") : With(ShardStatus.Interrupted, "the shard process ended before its run was recorded");
        if (row is not null)
            return row.Status switch
            {
                RunStatus.Running => With(ShardStatus.Running),
                RunStatus.Failed => With(ShardStatus.Failed, row.Error),
                _ => With(ShardStatus.Interrupted, row.Error ?? "the run stopped before it finished (killed, cancelled or timed out)"),
            };
        if (scheduler == ShardStatus.Running) return With(ShardStatus.Running, "starting");
        if (file?.State == ShardStatus.Failed) return With(ShardStatus.Failed, file.Error);
        if (submitted?.Contains(shard.Index) == true)
            return queue is null ? With(Queued, "submitted; the scheduler's queue was not read")
                : With(ShardStatus.Failed, "the scheduler no longer holds it and it recorded no run (see the scheduler's output files)");
        return With(NotSubmitted);
    }

    // Only the writer's own host can tell whether its pid lives; elsewhere a "running" file is believed.
    static bool WriterAlive(ShardStatus file)
    {
        if (file.Host != Environment.MachineName) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById((int)file.Pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public int Count(string state) => Shards.Count(s => s.State == state);
    public bool Complete => Shards.All(s => s.State == ShardStatus.Finished);

    /// <summary>Shards to run again: failed and interrupted ones.</summary>
    public IReadOnlyList<int> Unfinished => Shards.Where(s => s.State is ShardStatus.Failed or ShardStatus.Interrupted).Select(s => s.Index).ToList();

    /// <summary>Whether every variant (or size) has at least <paramref name="seeds"/> finished seeds, so a table means something.</summary>
    public bool EnoughFor(int seeds = 1) => Plan.Variants.All(v => Shards.Count(s => s.Variant == v && s.State == ShardStatus.Finished) >= seeds);

    /// <summary>The ablation table of the finished shards; interrupted unless every shard finished.</summary>
    public AblationResult Ablation()
    {
        Require(StudyPlan.AblationKind);
        var variants = Plan.Variants.Select((v, i) => new VariantResult(v, Config(v), i == 0, Finished(v))).ToList();
        return new AblationResult(Plan.Study, Plan.Task, variants, Plan.Metrics, !Complete, Plan.BootstrapResamples, Plan.BootstrapSeed);
    }

    /// <summary>The scaling fit over the sizes with finished shards; interrupted unless every shard finished.</summary>
    public ScalingResult Scaling()
    {
        Require(StudyPlan.ScalingKind);
        var metric = Plan.Metrics[0].Name;
        var points = Plan.Variants.Select(v => (v, runs: Finished(v))).Where(p => p.runs.Count > 0)
            .Select(p => new ScalingPoint(p.v, p.runs[0].ParameterCount, p.runs.Select(r => r.Metrics[metric]).ToList())).ToList();
        return ScalingResult.Fitted(Plan.Study, Plan.Task, metric, points, !Complete);
    }

    void Require(string kind)
    {
        if (Plan.Kind != kind) throw new InvalidOperationException($"study {Plan.Study} is a {Plan.Kind} study, not a {kind} study");
    }

    object Config(string variant)
    {
        var shard = Plan.Shards.First(s => s.Variant == variant);
        return PortableValues.ReadConfig(shard.ConfigType, shard.Config, $"study {Plan.Study} variant {variant}");
    }

    // In the plan's seed order, like the in-process study; the histories stay in the run log.
    List<SeedRun> Finished(string variant) => Plan.Seeds
        .Select(seed => Shards.FirstOrDefault(s => s.Variant == variant && s.Seed == seed && s.State == ShardStatus.Finished)?.Run)
        .Where(r => r is not null)
        .Select(r => new SeedRun(r!.Seed!.Value, r.FinalMetrics, r.ParameterCount ?? 0, new TrainingResult
        {
            StepsPlanned = 0, StepsCompleted = 0, Reason = StopReason.Completed, LossHistory = [], EvalHistory = [], FinalMetrics = r.FinalMetrics,
            WallTime = TimeSpan.FromSeconds(r.FinalMetrics.GetValueOrDefault("wall_time_s")), StepsPerSecond = r.FinalMetrics.GetValueOrDefault("steps_per_second"),
        }))
        .ToList();

    /// <summary>One line of counts, then one line per shard that is not finished.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"study {Plan.Study} ({Plan.Kind}, {Plan.Variants.Count} {(Plan.Kind == StudyPlan.ScalingKind ? "sizes" : "variants")} x {Plan.Seeds.Count} seeds on {Plan.Task}): ");
        var states = new[] { ShardStatus.Finished, ShardStatus.Running, Queued, ShardStatus.Failed, ShardStatus.Interrupted, NotSubmitted };
        sb.AppendJoin(", ", states.Select(s => (s, n: Count(s))).Where(x => x.n > 0 || x.s == ShardStatus.Finished).Select(x => $"{x.n} {x.s}"));
        sb.Append(CultureInfo.InvariantCulture, $" of {Shards.Count} shards");
        foreach (var s in Shards.Where(s => s.State != ShardStatus.Finished))
            sb.Append(CultureInfo.InvariantCulture, $"\n  shard {s.Index,3}  {s.Variant} seed {s.Seed}: {s.State}{(s.Detail is null ? "" : " — " + s.Detail)}");
        return sb.ToString();
    }
}
