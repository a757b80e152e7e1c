using ArchNotebooks.Extensions.Analysis;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch activations &lt;model&gt;</c>: every layer's output statistics on one batch (mean, std, dead and saturated
/// fractions, norm, histogram); <c>#!arch activations --run &lt;run&gt;</c>: one statistic of every layer over a run's
/// training steps, as the Trainer logged it (TrainConfig.ActivationStatsEvery); with <c>--stat grad_norm</c> or
/// <c>update_ratio</c>, every trained parameter's gradient norm or update-to-weight ratio (TrainConfig.ParameterStatsEvery).
/// </summary>
public sealed class ActivationsCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("activations", "per-layer activation statistics of a model, or of a run over training (layers × steps)",
        [new ArgumentSpec("model", "variable holding a model (not needed with --run)", Required: false)],
        [
            TaskOption("default: the task the model was built for; a test batch is the input"), TaskConfigOption, SampleInputs.InputShapeOption,
            new OptionSpec("batch", "n", "batch size of the task's sample (dead units are those zero for every example of it)", Values.Int(1, 65536), "64"),
            new OptionSpec("bins", "n", "histogram bins per layer", Values.Int(2, 1000), "30"),
            new OptionSpec("run", "id", "a run whose training logged activation statistics (#!arch train --activations-every N); its id or a unique part"),
            new OptionSpec("stat", "name", $"with --run, the statistic to draw: {string.Join(", ", RunStats)} (the last two per parameter)", StatParser, "dead"),
            RunsOption,
        ],
        [
            new("#!arch activations m", "statistics of every layer of m on a test batch of its task, with histograms"),
            new("#!arch activations net --input-shape 64,16", "a model not built for a task, on Gaussian noise"),
            new("#!arch activations --run 5e6f7a8b --stat std", "each layer's output std at every logged step of a run"),
            new("#!arch activations --run 5e6f7a8b --stat update_ratio", "each parameter's ‖Δw‖/‖w‖ at every 50th step (the gradient-flow picture)"),
        ]);

    static readonly string[] RunStats = [.. ActivationStatistics.Stats, .. ParameterStatistics.Stats];

    static readonly ValueParser StatParser = text => RunStats.Contains(text) ? text
        : throw new FormatException($"'{text}' is not a statistic; choose one of {string.Join(", ", RunStats)}");

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var runId = line.Get<string>("run");
        if (runId is not null)
        {
            if (line.Argument("model") is { } m) throw new ArchUsageException($"{Where}: give either a model ({m}) or --run, not both.");
            return FromRun(runId, line.Get<string>("stat") ?? "dead", ArchPlan.RunsDirectory(line));
        }
        if (line.Argument("model") is null) throw new ArchUsageException($"{Where}: which model? Give a variable holding one, or --run <run> for a run's logged statistics.");
        var sample = SampleInputs.Plan(line, plan, Where, defaultBatch: 64);
        int bins = line.Get("bins", 30);
        return run =>
        {
            var model = run.Model(sample.Model);
            run.Display(sample.Run(model, input => new ActivationTable(sample.Model, SampleInputs.Shape(input), ActivationStatistics.Of(model, input, bins))));
            return Task.CompletedTask;
        };
    }

    Func<ArchInvocation, Task> FromRun(string given, string stat, string dir) => run =>
    {
        if (!RunLogQueries.Exists(dir, run)) return Task.CompletedTask;
        using var log = RunLogs.Open(dir, Where);
        var ids = log.Query("SELECT run_id FROM runs ORDER BY start_time DESC").Rows.Select(r => (string)r[0]!).ToList();
        var record = log.FindRun(CompareCommand.ResolveRun(given, ids, Where))!;
        run.Display(History(log, record, stat, Where));
        return Task.CompletedTask;
    };

    /// <summary>
    /// Reads every layer's <paramref name="stat"/> of a run into a layers × steps table (layers in the order they first appear);
    /// a parameter statistic (grad_norm, update_ratio) gives one row per trained parameter.
    /// </summary>
    public static ActivationHistory History(RunLog log, RunRecord record, string stat, string where)
    {
        bool perParameter = ParameterStatistics.Stats.Contains(stat);
        var table = RunLogQueries.Run(log, "SELECT name, step, value FROM metrics WHERE run_id = " + Quote(record.RunId) +
            " AND name LIKE '" + (perParameter ? "params" : "activations") + "/%/" + stat + "' ORDER BY step, wall_time", where);
        var layers = new List<string>();
        var values = new Dictionary<(string, long), double>();
        var steps = new SortedSet<long>();
        foreach (var row in table.Rows)
        {
            var name = (string)row[0]!;
            if (!(perParameter ? ParameterStatistics.TryParseMetric(name, out var layer, out var s) : ActivationStatistics.TryParseMetric(name, out layer, out s)) || s != stat) continue;
            if (!layers.Contains(layer)) layers.Add(layer);
            long step = (long)row[1]!;
            steps.Add(step);
            values[(layer, step)] = row[2] is double v ? v : double.NaN;
        }
        if (layers.Count == 0 && perParameter)
            throw new ArchUsageException($"{where}: run {record.Name} ({record.RunId}) logged no '{stat}'; parameters are logged every --params-every n steps " +
                "(TrainConfig.ParameterStatsEvery, 50 by default), so a run that stopped before its first such step has none.");
        if (layers.Count == 0)
            throw new ArchUsageException($"{where}: run {record.Name} ({record.RunId}) logged no activation '{stat}'; train with --activations-every N (TrainConfig.ActivationStatsEvery) to record them" +
                (stat == "saturated" ? ", and 'saturated' exists only for tanh and sigmoid layers." : "."));
        var stepList = steps.ToList();
        var grid = layers.Select(l => stepList.Select(s => values.TryGetValue((l, s), out var v) ? v : double.NaN).ToArray()).ToArray();
        return new ActivationHistory(record.RunId, record.Name, stat, layers, stepList, grid) { PerParameter = perParameter };
    }

    static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
}
