using System.Text;
using System.Text.Json;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Reporting;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch compare &lt;run&gt; &lt;run&gt;...</c>: runs side by side (what differs in their configs, their final metrics) and their curves overlaid.</summary>
public sealed class CompareCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("compare", "compare runs: config differences, final metrics, curves overlaid",
        [new ArgumentSpec("runs", "two or more run ids (or unique parts of them, e.g. the last 8 characters)", Rest: true)],
        [new OptionSpec("metric", "name", "metric to overlay", Default: "train_loss"), RunsOption],
        [
            new("#!arch compare 20250101-120000-1a2b3c4d 20250101-120500-5e6f7a8b", "two runs by id"),
            new("#!arch compare 1a2b3c4d 5e6f7a8b 9c0d1e2f --metric test_accuracy", "three runs by the end of their ids, accuracy overlaid"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var given = line.Arguments("runs");
        if (given.Count < 2) throw new ArchUsageException($"{Where}: give at least two runs to compare (got {given.Count}); #!arch runs lists their ids.");
        var dir = ArchPlan.RunsDirectory(line);
        var metric = line.Get<string>("metric") ?? "train_loss";
        return run =>
        {
            if (!RunLogQueries.Exists(dir, run)) return Task.CompletedTask;
            using var log = RunLogs.Open(dir, Where);
            var ids = log.Query("SELECT run_id FROM runs ORDER BY start_time DESC").Rows.Select(r => (string)r[0]!).ToList();
            var records = given.Select(g => log.FindRun(ResolveRun(g, ids, Where))!).ToList();
            var curves = records.Select(r => new Curve($"{r.Name} ({r.RunId[^8..]})",
                log.MetricHistory(r.RunId, metric).Select(p => (double)p.Step).ToList(), log.MetricHistory(r.RunId, metric).Select(p => p.Value).ToList())).ToList();
            var peaks = records.Select(r => log.MetricHistory(r.RunId, MemoryMetrics.PeakResident).Select(p => (long?)p.Value).DefaultIfEmpty(null).Max()).ToList();
            run.Display(new RunComparison(records, metric, curves) { PeakMemory = peaks });
            return Task.CompletedTask;
        };
    }

    /// <summary>A run id from a full id or a unique part of one; a usage error naming the candidates otherwise.</summary>
    internal static string ResolveRun(string given, IReadOnlyList<string> ids, string where)
    {
        if (ids.Contains(given)) return given;
        var matches = ids.Where(id => id.Contains(given, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 1) return matches[0];
        if (matches.Count > 1) throw new ArchUsageException($"{where}: '{given}' matches {matches.Count} runs ({string.Join(", ", matches.Take(5))}); give more of the id.");
        throw new ArchUsageException($"{where}: no run '{given}' in the run log.{Suggestions.DidYouMean(given, ids)} Latest runs: {string.Join(", ", ids.Take(5))}.");
    }
}

/// <summary>Runs as columns: identity, status, final metrics and the config fields that differ; the chosen metric's curves overlaid.</summary>
public sealed record RunComparison(IReadOnlyList<RunRecord> Runs, string Metric, IReadOnlyList<Curve> Curves) : IMimeRenderable
{
    /// <summary>Each run's peak host memory as its training logged it (null where it logged none).</summary>
    public IReadOnlyList<long?>? PeakMemory { get; init; }

    public IReadOnlyList<(string Field, IReadOnlyList<string> Values)> Rows()
    {
        var rows = new List<(string, IReadOnlyList<string>)>
        {
            ("run", Runs.Select(r => r.RunId).ToList()), ("name", Runs.Select(r => r.Name).ToList()),
            ("family", Runs.Select(r => r.Family ?? "").ToList()), ("task", Runs.Select(r => r.Task ?? "").ToList()),
            ("variant", Runs.Select(r => r.Variant ?? "").ToList()), ("seed", Runs.Select(r => r.Seed?.ToString() ?? "").ToList()),
            ("status", Runs.Select(r => r.Status.ToText()).ToList()), ("parameters", Runs.Select(r => r.ParameterCount is { } p ? HtmlText.Count(p) : "").ToList()),
        };
        if (PeakMemory is { } peaks && peaks.Any(p => p is not null))
            rows.Add(("peak memory (host)", peaks.Select(p => p is { } b ? LayerSummary.Bytes(b) : "").ToList()));
        foreach (var key in Runs.SelectMany(r => r.FinalMetrics.Keys).Distinct().Order())
            rows.Add(("final " + key, Runs.Select(r => r.FinalMetrics.TryGetValue(key, out var v) ? HtmlText.Number(v) : "").ToList()));
        var configs = Runs.Select(r => Flatten(r.ConfigJson)).ToList();
        foreach (var key in configs.SelectMany(c => c.Keys).Distinct().Order())
        {
            var values = configs.Select(c => c.GetValueOrDefault(key, "")).ToList();
            if (values.Distinct().Count() > 1) rows.Add(("config " + key, values));
        }
        return rows;
    }

    static Dictionary<string, string> Flatten(string? json)
    {
        var leaves = new Dictionary<string, string>();
        if (json is null) return leaves;
        void Walk(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Object) foreach (var p in e.EnumerateObject()) Walk(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name);
            else leaves[path] = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
        }
        try { using var doc = JsonDocument.Parse(json); Walk(doc.RootElement, ""); }
        catch (JsonException) { leaves["config"] = json; }
        return leaves;
    }

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var rows = Rows();
        var html = new StringBuilder($"<h4>{HtmlText.Escape($"Comparing {Runs.Count} runs")}</h4>");
        html.Append(HtmlText.Table(["", .. Runs.Select(r => r.Name)],
            rows.Select(r => (IEnumerable<string>)[$"<code>{HtmlText.Escape(r.Field)}</code>", .. r.Values.Select(v => $"<td style=\"text-align:left\">{HtmlText.Escape(v)}</td>")]),
            caption: "config rows show only the fields that differ"));
        if (Curves.Any(c => c.Values.Count > 0))
            html.Append(new TrainingCurves(Curves) { Title = $"{Metric} by step" }.ToFigure().ToHtml());
        else html.Append("<div class=\"archnb-note\">").Append(HtmlText.Escape($"no '{Metric}' values were logged by these runs")).Append("</div>");
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString() =>
        $"Comparing {Runs.Count} runs\n" + TextTable.Render(["", .. Runs.Select(r => r.Name)], Rows().Select(r => (IReadOnlyList<string>)[r.Field, .. r.Values]).ToList());
}
