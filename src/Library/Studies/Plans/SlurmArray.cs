using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ArchNotebooks.Library.Studies.Plans;

/// <summary>How a study's job array asks Slurm for resources; <see cref="Sbatch"/> passes anything else through.</summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    /// <summary>Wall-clock limit per shard in sbatch's syntax ("30", "1:00:00", "1-0").</summary>
    public string? Time { get; init; }
    public int? Cpus { get; init; }
    public int? Gpus { get; init; }
    /// <summary>Extra sbatch arguments, e.g. ["--account=lab", "--qos=short"].</summary>
    public IReadOnlyList<string> Sbatch { get; init; } = [];
    /// <summary>The command that runs one shard, given the plan and index after it; default: this archnb build's <c>dotnet archnb.dll shard</c>.</summary>
    public IReadOnlyList<string>? ShardCommand { get; init; }
}

/// <summary>
/// Submits a plan's shards as one Slurm job array (task i runs <c>archnb shard PLAN i</c>) and reads the
/// queue back. Submissions are recorded in <c>slurm/jobs.tsv</c> beside the plan, so a notebook that
/// reconnects knows which jobs to ask about.
/// </summary>
public static class SlurmArray
{
    /// <summary>Submits <paramref name="indices"/> (default: every shard); returns Slurm's job id of the array.</summary>
    public static string Submit(StudyPlan plan, SlurmOptions options, IReadOnlyList<int>? indices = null)
    {
        indices ??= Enumerable.Range(0, plan.Shards.Count).ToList();
        if (indices.Count == 0) throw new ArgumentException($"study {plan.Study}: no shards to submit");
        foreach (var i in indices) plan.Shard(i);
        var command = options.ShardCommand ?? ThisBuild();
        var directory = Path.Combine(plan.Directory, "slurm");
        Directory.CreateDirectory(directory);
        var script = Path.Combine(directory, "shard.sbatch");
        File.WriteAllText(script, BatchScript(plan, options, command, directory));
        var arguments = new List<string> { "--parsable", $"--array={ArraySpec(indices)}" };
        arguments.AddRange(options.Sbatch);
        arguments.Add(script);
        var (code, stdout, stderr) = Execute("sbatch", arguments, plan.Directory);
        if (code != 0) throw new InvalidOperationException($"sbatch refused study {plan.Study} (exit {code}): {stderr.Trim()}");
        var job = stdout.Trim().Split(';')[0];   // --parsable prints "id" or "id;cluster"
        if (job.Length == 0 || !job.All(char.IsAsciiDigit)) throw new InvalidOperationException($"sbatch printed no job id for study {plan.Study}: '{stdout.Trim()}'");
        File.AppendAllText(Path.Combine(directory, "jobs.tsv"), $"{job}\t{string.Join(',', indices)}\t{DateTime.UtcNow:O}\n");
        File.WriteAllText(Path.Combine(directory, "options.json"), JsonSerializer.Serialize(options with { ShardCommand = command }, OptionsJson));
        return job;
    }

    static readonly JsonSerializerOptions OptionsJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The options of the plan's latest submission (so a resubmission asks for the same resources), or null when none was made.</summary>
    public static SlurmOptions? LastOptions(StudyPlan plan)
    {
        var path = Path.Combine(plan.Directory, "slurm", "options.json");
        try { return File.Exists(path) ? JsonSerializer.Deserialize<SlurmOptions>(File.ReadAllText(path), OptionsJson) : null; }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a submission's options: {e.Message}", e); }
    }

    /// <summary>The shards ever submitted through <see cref="Submit"/>, and the array jobs that hold them.</summary>
    public static (IReadOnlySet<int> Shards, IReadOnlyList<string> Jobs) Submitted(StudyPlan plan)
    {
        var path = Path.Combine(plan.Directory, "slurm", "jobs.tsv");
        var shards = new HashSet<int>();
        var jobs = new List<string>();
        if (!File.Exists(path)) return (shards, jobs);
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            var parts = line.Split('\t');
            jobs.Add(parts[0]);
            foreach (var i in parts[1].Split(',')) shards.Add(int.Parse(i, CultureInfo.InvariantCulture));
        }
        return (shards, jobs);
    }

    /// <summary>
    /// The plan's shards Slurm still holds, as queued or running (index → state), or null when squeue
    /// cannot be asked. Ended tasks are left out: the run log and the shard's status file speak for them.
    /// </summary>
    public static IReadOnlyDictionary<int, string>? Queue(StudyPlan plan)
    {
        var (_, jobs) = Submitted(plan);
        var states = new Dictionary<int, string>();
        if (jobs.Count == 0) return states;
        (int code, string stdout, string stderr) result;
        try { result = Execute("squeue", ["--noheader", "--array", $"--jobs={string.Join(',', jobs)}", "--format=%i|%T"], plan.Directory); }
        catch (System.ComponentModel.Win32Exception) { return null; }   // no squeue here
        // squeue rejects a list of only ended jobs ("Invalid job id specified"): then none is held.
        if (result.code != 0) return result.stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? states : null;
        // Later submissions come later in jobs.tsv, so for a shard submitted twice the newer job's state wins.
        var order = jobs.Select((j, i) => (j, i)).ToDictionary(x => x.j, x => x.i);
        var seen = new Dictionary<int, int>();
        foreach (var line in result.stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            var ids = parts[0].Split('_');
            if (parts.Length != 2 || ids.Length != 2 || !int.TryParse(ids[1], CultureInfo.InvariantCulture, out var index)) continue;
            string? state = parts[1] switch
            {
                "PENDING" or "CONFIGURING" or "REQUEUED" or "REQUEUE_HOLD" or "SUSPENDED" or "RESIZING" => StudyProgressReport.Queued,
                "RUNNING" or "COMPLETING" or "STAGE_OUT" => ShardStatus.Running,
                _ => null,
            };
            int rank = order.GetValueOrDefault(ids[0], -1);
            if (state is null || seen.GetValueOrDefault(index, -2) > rank) continue;
            seen[index] = rank;
            states[index] = state;
        }
        return states;
    }

    /// <summary>"0-5" for a run of indices, else "1,4,7".</summary>
    public static string ArraySpec(IReadOnlyList<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        return sorted[^1] - sorted[0] == sorted.Count - 1 ? (sorted.Count == 1 ? $"{sorted[0]}" : $"{sorted[0]}-{sorted[^1]}") : string.Join(',', sorted);
    }

    static string BatchScript(StudyPlan plan, SlurmOptions options, IReadOnlyList<string> command, string directory)
    {
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name=archnb-{StudyPlan.SafeName(plan.Study)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(directory, "%A_%a.out")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --chdir={plan.Directory}\n");
        if (options.Partition is { } p) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={p}\n");
        if (options.Time is { } t) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={t}\n");
        if (options.Cpus is { } c) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={c}\n");
        if (options.Gpus is { } g) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --gres=gpu:{g}\n");
        sb.Append("# Written by archnb for study ").Append(plan.Study).Append(": array task i trains shard i of the plan.\n");
        sb.Append("set -euo pipefail\n");
        sb.Append("exec ").AppendJoin(' ', command.Select(Quote)).Append(' ').Append(Quote(plan.Path!)).Append(" \"$SLURM_ARRAY_TASK_ID\"\n");
        return sb.ToString();
    }

    /// <summary>This build's shard command: the dotnet host running archnb.dll from this process's directory.</summary>
    public static IReadOnlyList<string> ThisBuild()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "archnb.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"no archnb.dll beside this process ({AppContext.BaseDirectory}); give the shard command ({nameof(SlurmOptions)}.{nameof(SlurmOptions.ShardCommand)})");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        return [host, dll, "shard"];
    }

    static string Quote(string word) => word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

    internal static (int Code, string Stdout, string Stderr) Execute(string program, IEnumerable<string> arguments, string directory)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
