using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Interpretability;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Extensions.Attention;

/// <summary>
/// Renders <see cref="AttentionMaps"/>: a selector figure (one head at a time, each layer's head
/// mean, and the rollout, with token labels and hover values) and a layers × heads overview grid,
/// after BertViz's model view and CircuitsVis' head grids.
/// </summary>
public static class AttentionFormatter
{
    public static void Write(AttentionMaps maps, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = PlainText(maps);
        var html = new StringBuilder();
        html.Append("<h4>Attention: ").Append(maps.Layers).Append(" layers × ").Append(maps.Heads).Append(" heads over ")
            .Append(maps.Tokens.Count).Append(" tokens</h4><div class=\"archnb-meta\">")
            .Append(HtmlText.Escape(string.Join(" · ", maps.Tokens))).Append("</div>");
        html.Append(SelectorFigure(maps).ToHtml());
        html.Append(GridFigure(maps).ToHtml());
        html.Append(HeadTable(maps));
        html.Append("<div class=\"archnb-meta\">Rows are queries, columns keys. Rollout: product over layers of (I + mean over heads), rows renormalised (Abnar &amp; Zuidema, 2020).</div>");
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    static string Hover(IReadOnlyList<string> queries, IReadOnlyList<string> keys, string where, int q, int k, double v) =>
        $"{where}\nquery {q} '{queries[q]}' → key {k} '{keys[k]}'\nweight {v.ToString("0.0000", CultureInfo.InvariantCulture)}";

    /// <summary>Tick labels stay short so a long token cannot squeeze the map; hover shows it whole.</summary>
    static IReadOnlyList<string> Short(IReadOnlyList<string> tokens) => tokens.Select(t => t.Length <= 12 ? t : t[..11] + "…").ToList();

    static Heatmap Map(IReadOnlyList<string> queries, IReadOnlyList<string> keys, double[][] w, string where, bool labels) => new(w.Select(r => (IReadOnlyList<double>)r).ToList())
    {
        Name = where,
        XLabels = labels ? Short(keys) : null,
        YLabels = labels ? Short(queries) : null,
        // Plain text: the figure escapes it and turns the newlines into plotly line breaks.
        HoverText = w.Select((row, q) => (IReadOnlyList<string>)row.Select((v, k) => Hover(queries, keys, where, q, k, v)).ToList()).ToList(),
        Colorscale = Colorscale.Blues, ZMin = 0, ZMax = 1,
    };

    /// <summary>One large map at a time; the dropdown picks a (layer, head), a layer's head mean, or the rollout.</summary>
    public static Figure SelectorFigure(AttentionMaps maps)
    {
        var traces = new List<Heatmap>();
        foreach (var site in maps.Sites)
        {
            for (int h = 0; h < site.Weights.Length; h++)
                traces.Add(Map(site.Queries, site.Keys, site.Weights[h], $"{site.Title}, head {h}", true));
            var mean = site.Weights[0].Select((row, q) => row.Select((_, k) => site.Weights.Average(head => head[q][k])).ToArray()).ToArray();
            traces.Add(Map(site.Queries, site.Keys, mean, $"{site.Title}, mean of heads", true));
        }
        if (maps.Rollout is { } rollout) traces.Add(Map(maps.Tokens, maps.Tokens, rollout, "rollout over all layers", true));
        int shown = maps.Rollout is null ? 0 : traces.Count - 1;
        var data = traces.Select((t, i) => t with { Visible = i == shown, ShowScale = true, ColorbarTitle = "weight" }).ToList();
        var buttons = data.Select((t, i) => new MenuButton(t.Name!, "update", new JsonArray(
            new JsonObject { ["visible"] = new JsonArray(data.Select((_, j) => (JsonNode)JsonValue.Create(i == j)).ToArray()) },
            new JsonObject { ["title.text"] = PlotJson.Text("Attention: " + t.Name) }))).ToList();
        bool longTokens = maps.Sites.SelectMany(x => x.Keys).Any(t => t.Length > 3);
        int side = Math.Clamp(maps.Sites.Max(x => Math.Max(x.Queries.Count, x.Keys.Count)) * 26, 260, 560);
        return new Figure(data.Cast<Trace>().ToList(), new Layout
        {
            Title = "Attention: " + data[shown].Name, Height = side + 190, Width = side + 320, ShowLegend = false, Margin = (110, 110, 100, 90),
            XAxes = [new Axis { Title = "key", TickAngle = longTokens ? -45 : null, ShowGrid = false, ScaleAnchor = "y" }],
            YAxes = [new Axis { Title = "query", Reversed = true, ShowGrid = false }],
            UpdateMenus = [new UpdateMenu(buttons) { Active = shown, X = 1.35, XAnchor = "right", Y = 1.2 }],
        });
    }

    /// <summary>Every layer (rows) and head (columns) as a thumbnail, on a common 0..1 colour scale.</summary>
    public static Figure GridFigure(AttentionMaps maps)
    {
        int layers = maps.Layers, heads = maps.Heads;
        const double gap = 0.012;
        var traces = new List<Trace>();
        var xAxes = new List<Axis>();
        var yAxes = new List<Axis>();
        var notes = new List<Annotation>();
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
            {
                int p = l * heads + h;
                string xr = p == 0 ? "x" : $"x{p + 1}", yr = p == 0 ? "y" : $"y{p + 1}";
                xAxes.Add(new Axis { Domain = ((double)h / heads + gap, (h + 1.0) / heads - gap), Anchor = yr, ShowTickLabels = false, ShowGrid = false, ZeroLine = false });
                yAxes.Add(new Axis { Domain = (1 - (l + 1.0) / layers + gap, 1 - (double)l / layers - gap), Anchor = xr, ShowTickLabels = false, ShowGrid = false, ZeroLine = false, Reversed = true });
                var site = maps.Sites[l];
                if (h < site.Weights.Length)
                    traces.Add(Map(site.Queries, site.Keys, site.Weights[h], $"{site.Title}, head {h}", false) with { XAxis = xr, YAxis = yr, ShowScale = false });
            }
        for (int h = 0; h < heads; h++) notes.Add(new Annotation($"head {h}", (h + 0.5) / heads, 1.0) { FontSize = 11 });
        // Row labels stay short ("layer 0"); each thumbnail's hover names the full module path.
        for (int l = 0; l < layers; l++) notes.Add(new Annotation($"layer {l}", -0.01, 1 - (l + 0.5) / layers) { XAnchor = "right", YAnchor = "middle", FontSize = 11 });
        // Square thumbnails: the figure's size follows the grid.
        int cell = Math.Clamp(900 / Math.Max(heads, 1), 70, 150);
        return new Figure(traces, new Layout
        {
            Title = $"All heads ({layers} layers × {heads} heads)", Height = layers * cell + 90, Width = heads * cell + 130, ShowLegend = false,
            Margin = (110, 20, 70, 20), XAxes = xAxes, YAxes = yAxes, Annotations = notes,
        });
    }

    /// <summary>Per head: where it sits, what it attends over, mean distance, entropy and the pattern it matches.</summary>
    static string HeadTable(AttentionMaps maps)
    {
        var rows = maps.Sites.SelectMany(site => site.Profiles().Select((p, h) => (IEnumerable<string>)
        [
            HtmlText.Escape(site.Title), h.ToString(CultureInfo.InvariantCulture),
            HtmlText.Escape($"{site.Queries.Count} × {site.Keys.Count}" + (site.Note is null ? "" : $" ({site.Note})")),
            double.IsNaN(p.MeanDistance) ? "" : HtmlText.Number(p.MeanDistance, "0.00"), HtmlText.Number(p.Entropy, "0.00"),
            p.Best is { } b ? HtmlText.Escape((p.Match is null ? "none; closest " : "") + HeadPatterns.Describe(b.pattern)) : "",
            p.Best is { } s ? HtmlText.Number(s.score, "0.00") : "",
        ]));
        return HtmlText.Table(["site", "head", "queries × keys", "mean distance", "entropy (nats)", "pattern", "score"], rows,
            caption: "Heads: mean distance |query − key| weighted by attention; pattern scores are the attention mass a query puts where the pattern says (a match from 0.5)");
    }

    /// <summary>"distance 1.00, entropy 0.05 nats, previous token (0.98)": the summary of one head.</summary>
    public static string HeadLine(HeadProfile p)
    {
        var parts = new List<string>();
        if (!double.IsNaN(p.MeanDistance)) parts.Add(string.Create(CultureInfo.InvariantCulture, $"mean distance {p.MeanDistance:0.00}"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"entropy {p.Entropy:0.00} nats"));
        if (p.Best is { } best)
            parts.Add(p.Match is not null
                ? string.Create(CultureInfo.InvariantCulture, $"{HeadPatterns.Describe(best.pattern)} head ({best.score:0.00})")
                : string.Create(CultureInfo.InvariantCulture, $"no known pattern (closest: {HeadPatterns.Describe(best.pattern)}, {best.score:0.00})"));
        return string.Join(", ", parts);
    }

    public static string PlainText(AttentionMaps maps)
    {
        var sb = new StringBuilder($"Attention: {maps.Layers} layers x {maps.Heads} heads over {maps.Tokens.Count} tokens: {string.Join(" ", maps.Tokens)}\n");
        foreach (var site in maps.Sites)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {site.Title}: {site.Queries.Count} queries x {site.Keys.Count} keys")
              .Append(site.Note is null ? "" : $" ({site.Note})").Append('\n');
            foreach (var (p, h) in site.Profiles().Select((p, h) => (p, h)))
                sb.Append(CultureInfo.InvariantCulture, $"  {site.Title} head {h}: ").Append(HeadLine(p)).Append('\n');
        }
        if (maps.Rollout is { } r && maps.Tokens.Count <= 16)
        {
            sb.Append("Rollout (rows: queries, columns: keys)\n");
            sb.Append(TextTable.Render(["", .. maps.KeyTokens], r.Select((row, q) => (IReadOnlyList<string>)[maps.Tokens[q], .. row.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))]).ToList()));
        }
        return sb.ToString().TrimEnd('\n');
    }
}
