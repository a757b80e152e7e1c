using System.Text.Json;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Runs;
using ArchNotebooks.Torch;

namespace ArchNotebooks.Library.Studies.Plans;

/// <summary>
/// What a shard process says about itself in <c>shards/INDEX.json</c> beside the plan: running, finished,
/// failed (with the error) or interrupted. It covers what the run log cannot: a shard that failed before
/// its run started (a plan it could not read, a config it could not build).
/// </summary>
public sealed record ShardStatus(int Index, string State, string Host, long Pid, DateTime Started, DateTime? Ended = null, string? Error = null)
{
    public const string Running = "running", Finished = "finished", Failed = "failed", Interrupted = "interrupted";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static string PathOf(StudyPlan plan, int index) => Path.Combine(plan.Directory, "shards", $"{index}.json");

    public void Write(StudyPlan plan)
    {
        var path = PathOf(plan, Index);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The shard's last word, or null when it never started (or wrote something unreadable).</summary>
    public static ShardStatus? Read(StudyPlan plan, int index)
    {
        try { return JsonSerializer.Deserialize<ShardStatus>(File.ReadAllText(PathOf(plan, index)), Json); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }
}

/// <summary>Trains one shard of a plan in this process, with the shard's seed, into the plan's run log.</summary>
public static class ShardRunner
{
    /// <summary>
    /// Rebuilds the shard's config, recipe and task, trains it exactly as the in-process study trains that
    /// variant and seed (the same <see cref="SeedRunner"/>), and records it in the shared run log.
    /// Returns the finished run, or null when it was interrupted.
    /// </summary>
    public static SeedRun? Run(StudyPlan plan, int index, CancellationToken cancellation = default)
    {
        var shard = plan.Shard(index);
        var status = new ShardStatus(index, ShardStatus.Running, Environment.MachineName, Environment.ProcessId, DateTime.UtcNow);
        status.Write(plan);
        try
        {
            string where = $"study {plan.Study} shard {index} ({shard.Variant}, seed {shard.Seed})";
            var config = PortableValues.ReadConfig(shard.ConfigType, shard.Config, where) as IModelConfig
                ?? throw new InvalidDataException($"{where}: {shard.ConfigType} is not a family config ({nameof(IModelConfig)})");
            var training = shard.Training.Deserialize<TrainConfig>(PortableValues.Json) ?? throw new InvalidDataException($"{where}: no training config");
            var task = PortableValues.ReadTask(shard.Task, where);
            torch.Device? device = plan.Device is { } d ? torch.Device.Parse(d) : (torch.Device?)null;
            using var log = RunLog.Open(plan.RunsDirectory);
            var (runs, interrupted) = SeedRunner.Run(plan.Study, shard.Variant, config, c => c.For(task).Build(), task, training, [shard.Seed],
                new RunLogExperimentLog(log, source: $"shard {index} of {plan.Path}", device: plan.Device), plan.Family, device, cancellation);
            var run = interrupted || runs.Count == 0 ? null : runs[0];
            (status with { State = run is null ? ShardStatus.Interrupted : ShardStatus.Finished, Ended = DateTime.UtcNow }).Write(plan);
            return run;
        }
        catch (Exception e)
        {
            (status with { State = ShardStatus.Failed, Ended = DateTime.UtcNow, Error = $"{e.GetType().Name}: {e.Message}" }).Write(plan);
            throw;
        }
    }
}
