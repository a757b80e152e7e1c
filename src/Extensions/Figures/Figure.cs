using System.Globalization;
using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Figures;

/// <summary>
/// A plotly.js figure built from typed C#: traces, layout and config. Displays as
/// application/vnd.plotly.v1+json with a text/html fallback (drawn by a global plotly.js when the
/// page has one, over a static SVG picture that survives viewers without JavaScript) and
/// image/svg+xml when every trace can be drawn statically.
/// </summary>
[TypeFormatterSource(typeof(ArchTypeFormatterSource), PreferredMimeTypes = [MimeBundle.Html, MimeBundle.PlainText])]
public sealed record Figure(IReadOnlyList<Trace> Data, Layout Layout, PlotConfig? Config = null) : IMimeRenderable
{
    public Figure(params Trace[] data) : this(data, new Layout()) { }

    /// <summary>{data, layout, config} as plotly.js takes them.</summary>
    public JsonObject ToJson()
    {
        var layout = Layout.ToJson();
        foreach (var heatmap in Data.OfType<Heatmap>())
        {
            // Heatmap cells sit at integer positions; their labels become the axes' tick text,
            // and a zero line would only strike through the first row or column.
            LabelAxis(layout, heatmap.XAxis, "xaxis", heatmap.XLabels);
            LabelAxis(layout, heatmap.YAxis, "yaxis", heatmap.YLabels);
        }
        return new JsonObject
        {
            ["data"] = new JsonArray(Data.Select(t => (JsonNode)t.ToJson()).ToArray()),
            ["layout"] = layout,
            ["config"] = (Config ?? new PlotConfig()).ToJson(),
        };
    }

    static void LabelAxis(JsonObject layout, string reference, string prefix, IReadOnlyList<string>? labels)
    {
        var key = reference.Length == 1 ? prefix : prefix + reference[1..];
        if (layout[key] is not JsonObject axis) layout[key] = axis = new JsonObject();
        if (!axis.ContainsKey("zeroline")) axis["zeroline"] = false;
        if (labels is null || axis.ContainsKey("tickvals")) return;
        axis["tickmode"] = "array";
        axis["tickvals"] = PlotJson.Numbers(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToList());
        axis["ticktext"] = PlotJson.Texts(labels);
    }

    /// <summary>The figure as JSON text, safe to place inside a &lt;script&gt; element.</summary>
    public string ToPlotlyJson() => ToJson().ToJsonString(PlotJson.Options);

    /// <summary>A static SVG picture, or null when a trace type has no static renderer (histogram, box).</summary>
    public string? ToSvg() => Svg.SvgRenderer.Render(this);

    /// <summary>An HTML fragment: a div drawn by plotly.js if loaded, else the static SVG, else a note.</summary>
    public string ToHtml() => FigureHtml.Render(this);

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.Plotly] = ToJson();
        bundle[MimeBundle.Html] = ToHtml();
        if (ToSvg() is { } svg) bundle[MimeBundle.Svg] = svg;
        bundle[MimeBundle.PlainText] = ToString();
    }

    /// <summary>A one-paragraph description: title and each trace's type, name and size.</summary>
    public override string ToString()
    {
        var lines = new List<string> { $"Figure{(Layout.Title is { } t ? ": " + t : "")} ({Data.Count} trace{(Data.Count == 1 ? "" : "s")})" };
        foreach (var trace in Data)
        {
            string size = trace switch
            {
                Scatter s => $"{s.X.Count} points",
                Bar b => $"{b.Values.Count} bars",
                Heatmap h => $"{h.Rows}x{h.Columns} cells",
                Histogram h => $"{h.Samples.Count} samples",
                Box b => $"{b.Values.Count} values",
                _ => "",
            };
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {trace.Type} {(trace.Name is { } n ? $"'{n}' " : "")}{size}"));
        }
        return string.Join("\n", lines);
    }
}
