using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
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
        html.Append("<div class=\"archnb-meta\">Rows are queries, columns keys. Rollout: product over layers of (I + mean over heads), rows renormalised (Abnar &amp; Zuidema, 2020).</div>");
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    static string Hover(AttentionMaps maps, string where, int q, int k, double v) =>
        $"{where}\nquery {q} '{maps.Tokens[q]}' → key {k} '{maps.KeyTokens[k]}'\nweight {v.ToString("0.0000", CultureInfo.InvariantCulture)}";

    /// <summary>Tick labels stay short so a long token cannot squeeze the map; hover shows it whole.</summary>
    static IReadOnlyList<string> Short(IReadOnlyList<string> tokens) => tokens.Select(t => t.Length <= 12 ? t : t[..11] + "…").ToList();

    static Heatmap Map(AttentionMaps maps, double[][] w, string where, bool labels) => new(w.Select(r => (IReadOnlyList<double>)r).ToList())
    {
        Name = where,
        XLabels = labels ? Short(maps.KeyTokens) : null,
        YLabels = labels ? Short(maps.Tokens) : null,
        // Plain text: the figure escapes it and turns the newlines into plotly line breaks.
        HoverText = w.Select((row, q) => (IReadOnlyList<string>)row.Select((v, k) => Hover(maps, where, q, k, v)).ToList()).ToList(),
        Colorscale = Colorscale.Blues, ZMin = 0, ZMax = 1,
    };

    /// <summary>One large map at a time; the dropdown picks a (layer, head), a layer's head mean, or the rollout.</summary>
    public static Figure SelectorFigure(AttentionMaps maps)
    {
        var traces = new List<Heatmap>();
        for (int l = 0; l < maps.Layers; l++)
        {
            for (int h = 0; h < maps.Weights[l].Length; h++)
                traces.Add(Map(maps, maps.Weights[l][h], $"{maps.LayerNames[l]}, head {h}", true));
            var mean = maps.Weights[l][0].Select((row, q) => row.Select((_, k) => maps.Weights[l].Average(head => head[q][k])).ToArray()).ToArray();
            traces.Add(Map(maps, mean, $"{maps.LayerNames[l]}, mean of heads", true));
        }
        if (maps.Rollout is { } rollout) traces.Add(Map(maps, rollout, "rollout over all layers", true));
        int shown = maps.Rollout is null ? 0 : traces.Count - 1;
        var data = traces.Select((t, i) => t with { Visible = i == shown, ShowScale = true, ColorbarTitle = "weight" }).ToList();
        var buttons = data.Select((t, i) => new MenuButton(t.Name!, "update", new JsonArray(
            new JsonObject { ["visible"] = new JsonArray(data.Select((_, j) => (JsonNode)JsonValue.Create(i == j)).ToArray()) },
            new JsonObject { ["title.text"] = PlotJson.Text("Attention: " + t.Name) }))).ToList();
        bool longTokens = maps.Tokens.Concat(maps.KeyTokens).Any(t => t.Length > 3);
        int side = Math.Clamp(maps.Tokens.Count * 26, 260, 560);
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
                if (h < maps.Weights[l].Length)
                    traces.Add(Map(maps, maps.Weights[l][h], $"{maps.LayerNames[l]}, head {h}", false) with { XAxis = xr, YAxis = yr, ShowScale = false });
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

    public static string PlainText(AttentionMaps maps)
    {
        var sb = new StringBuilder($"Attention: {maps.Layers} layers x {maps.Heads} heads over {maps.Tokens.Count} tokens: {string.Join(" ", maps.Tokens)}\n");
        for (int l = 0; l < maps.Layers; l++)
            for (int h = 0; h < maps.Weights[l].Length; h++)
            {
                var w = maps.Weights[l][h];
                var (q, k) = Enumerable.Range(0, w.Length).SelectMany(qq => Enumerable.Range(0, w[qq].Length).Select(kk => (qq, kk))).MaxBy(p => w[p.qq][p.kk]);
                sb.Append(CultureInfo.InvariantCulture, $"  {maps.LayerNames[l]} head {h}: strongest {maps.Tokens[q]} -> {maps.KeyTokens[k]} ({w[q][k]:0.000})\n");
            }
        if (maps.Rollout is { } r && maps.Tokens.Count <= 16)
        {
            sb.Append("Rollout (rows: queries, columns: keys)\n");
            sb.Append(TextTable.Render(["", .. maps.KeyTokens], r.Select((row, q) => (IReadOnlyList<string>)[maps.Tokens[q], .. row.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))]).ToList()));
        }
        return sb.ToString().TrimEnd('\n');
    }
}
