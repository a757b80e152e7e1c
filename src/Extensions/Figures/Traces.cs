using System.Text.Json.Nodes;

namespace ArchNotebooks.Extensions.Figures;

/// <summary>
/// One plotly.js trace. Strings in the model are plain text: serialisation entity-escapes them
/// (plotly.js reads its text as a small HTML subset), so a token or run name can never inject
/// markup. <see cref="HoverTemplate"/> is the exception: it is markup written by our formatters.
/// </summary>
public abstract record Trace
{
    /// <summary>plotly's trace type: "scatter", "bar", "heatmap", "histogram", "box".</summary>
    public abstract string Type { get; }
    public string? Name { get; init; }
    public bool? ShowLegend { get; init; }
    /// <summary>Axis references for subplots: "x", "x2", ...; "y", "y2", ...</summary>
    public string XAxis { get; init; } = "x";
    public string YAxis { get; init; } = "y";
    /// <summary>Per-point hover text (plain text, escaped).</summary>
    public IReadOnlyList<string>? Text { get; init; }
    /// <summary>plotly hover template markup, e.g. "%{y:.3f}&lt;extra&gt;&lt;/extra&gt;" (author-controlled, not escaped).</summary>
    public string? HoverTemplate { get; init; }
    public bool Visible { get; init; } = true;

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = Type };
        if (Name is not null) o["name"] = PlotJson.Text(Name);
        if (ShowLegend is { } legend) o["showlegend"] = legend;
        if (XAxis != "x") o["xaxis"] = XAxis;
        if (YAxis != "y") o["yaxis"] = YAxis;
        if (Text is not null) o["text"] = PlotJson.Texts(Text);
        if (HoverTemplate is not null) o["hovertemplate"] = HoverTemplate;
        if (!Visible) o["visible"] = false;
        Write(o);
        return o;
    }

    private protected abstract void Write(JsonObject o);
}

/// <summary>Line and marker styling shared by scatter and bar traces.</summary>
public sealed record LineStyle(string? Color = null, double? Width = null, string? Dash = null);

public sealed record MarkerStyle(string? Color = null, double? Size = null, double? Opacity = null, IReadOnlyList<string>? Colors = null)
{
    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Colors is not null) o["color"] = PlotJson.Texts(Colors);
        else if (Color is not null) o["color"] = Color;
        if (Size is { } s) o["size"] = s;
        if (Opacity is { } op) o["opacity"] = op;
        return o;
    }
}

/// <summary>Error bars: <see cref="Values"/> above each point and <see cref="Minus"/> below (symmetric when null), e.g. a CI.</summary>
public sealed record ErrorBars(IReadOnlyList<double> Values, IReadOnlyList<double>? Minus = null, bool Visible = true)
{
    internal double Below(int i) => Minus is { } m && i < m.Count ? m[i] : Values[i];
}

/// <summary>A line chart, scatter plot or both ("lines", "markers", "lines+markers").</summary>
public sealed record Scatter(IReadOnlyList<double> X, IReadOnlyList<double> Y) : Trace
{
    public override string Type => "scatter";
    public string Mode { get; init; } = "lines";
    public LineStyle? Line { get; init; }
    public MarkerStyle? Marker { get; init; }
    public ErrorBars? ErrorY { get; init; }

    private protected override void Write(JsonObject o)
    {
        o["x"] = PlotJson.Numbers(X);
        o["y"] = PlotJson.Numbers(Y);
        o["mode"] = Mode;
        if (Line is { } l)
        {
            var line = new JsonObject();
            if (l.Color is not null) line["color"] = l.Color;
            if (l.Width is { } w) line["width"] = w;
            if (l.Dash is not null) line["dash"] = l.Dash;
            o["line"] = line;
        }
        if (Marker is not null) o["marker"] = Marker.ToJson();
        if (ErrorY is { } e)
        {
            var bars = new JsonObject { ["type"] = "data", ["array"] = PlotJson.Numbers(e.Values), ["visible"] = e.Visible, ["thickness"] = 1.5, ["width"] = 6 };
            if (e.Minus is not null) { bars["symmetric"] = false; bars["arrayminus"] = PlotJson.Numbers(e.Minus); }
            o["error_y"] = bars;
        }
    }
}

/// <summary>Bars over category labels (<see cref="Categories"/>) or numeric positions (<see cref="X"/>, e.g. histogram bin centres).</summary>
public sealed record Bar(IReadOnlyList<double> Values) : Trace
{
    public override string Type => "bar";
    public IReadOnlyList<string>? Categories { get; init; }
    public IReadOnlyList<double>? X { get; init; }
    /// <summary>Bar width in data units (numeric positions only).</summary>
    public double? Width { get; init; }
    /// <summary>"v" (default) or "h" (categories on the y axis).</summary>
    public string Orientation { get; init; } = "v";
    public MarkerStyle? Marker { get; init; }

    private protected override void Write(JsonObject o)
    {
        JsonNode positions = Categories is not null ? PlotJson.Texts(Categories) : PlotJson.Numbers(X ?? Enumerable.Range(0, Values.Count).Select(i => (double)i).ToList());
        bool horizontal = Orientation == "h";
        o[horizontal ? "y" : "x"] = positions;
        o[horizontal ? "x" : "y"] = PlotJson.Numbers(Values);
        if (horizontal) o["orientation"] = "h";
        if (Width is { } w) o["width"] = w;
        // Text is for hovering: plotly.js would otherwise print it on the bars.
        if (Text is not null) o["textposition"] = "none";
        if (Marker is not null) o["marker"] = Marker.ToJson();
    }
}

/// <summary>A matrix of values coloured by a colour scale; rows are drawn bottom-up unless the y axis is reversed.</summary>
public sealed record Heatmap(IReadOnlyList<IReadOnlyList<double>> Z) : Trace
{
    public override string Type => "heatmap";
    /// <summary>Column and row labels; shown as tick labels on this trace's axes (kept unique even when tokens repeat).</summary>
    public IReadOnlyList<string>? XLabels { get; init; }
    public IReadOnlyList<string>? YLabels { get; init; }
    /// <summary>Hover text per cell, [row][column] (plain text, escaped).</summary>
    public IReadOnlyList<IReadOnlyList<string>>? HoverText { get; init; }
    public Colorscale Colorscale { get; init; } = Colorscale.Viridis;
    public double? ZMin { get; init; }
    public double? ZMax { get; init; }
    public bool ShowScale { get; init; } = true;
    public string? ColorbarTitle { get; init; }

    public int Rows => Z.Count;
    public int Columns => Z.Count == 0 ? 0 : Z[0].Count;

    private protected override void Write(JsonObject o)
    {
        // Positions are indices so repeated labels stay separate cells; the labels become tick text.
        o["x"] = PlotJson.Numbers(Enumerable.Range(0, Columns).Select(i => (double)i).ToList());
        o["y"] = PlotJson.Numbers(Enumerable.Range(0, Rows).Select(i => (double)i).ToList());
        o["z"] = new JsonArray(Z.Select(row => (JsonNode)PlotJson.Numbers(row)).ToArray());
        if (HoverText is not null) o["text"] = new JsonArray(HoverText.Select(row => (JsonNode)PlotJson.Texts(row)).ToArray());
        if (HoverText is not null && HoverTemplate is null) o["hovertemplate"] = "%{text}<extra></extra>";
        o["colorscale"] = Colorscale.ToJson();
        if (ZMin is { } lo) o["zmin"] = lo;
        if (ZMax is { } hi) o["zmax"] = hi;
        o["showscale"] = ShowScale;
        if (ColorbarTitle is not null) o["colorbar"] = new JsonObject { ["title"] = new JsonObject { ["text"] = PlotJson.Text(ColorbarTitle) } };
    }
}

/// <summary>A histogram of raw samples, binned by plotly.js (precomputed bins are a <see cref="Bar"/>).</summary>
public sealed record Histogram(IReadOnlyList<double> Samples) : Trace
{
    public override string Type => "histogram";
    public int? Bins { get; init; }
    public MarkerStyle? Marker { get; init; }

    private protected override void Write(JsonObject o)
    {
        o["x"] = PlotJson.Numbers(Samples);
        if (Bins is { } b) o["nbinsx"] = b;
        if (Marker is not null) o["marker"] = Marker.ToJson();
    }
}

/// <summary>A box plot or, with <see cref="Points"/> = "all" and a hidden box, a strip of individual points (per-seed dots).</summary>
public sealed record Box(IReadOnlyList<double> Values) : Trace
{
    public override string Type => "box";
    /// <summary>"all", "outliers" or "false".</summary>
    public string Points { get; init; } = "all";
    public double Jitter { get; init; } = 0.3;
    /// <summary>"h" draws values along x with the trace name as the category on y.</summary>
    public string Orientation { get; init; } = "v";
    /// <summary>Hide the box and whiskers, leaving only the points (a strip plot).</summary>
    public bool StripOnly { get; init; }
    public MarkerStyle? Marker { get; init; }

    private protected override void Write(JsonObject o)
    {
        o[Orientation == "h" ? "x" : "y"] = PlotJson.Numbers(Values);
        if (Orientation == "h") o["orientation"] = "h";
        o["boxpoints"] = Points == "false" ? false : Points;
        o["jitter"] = Jitter;
        o["pointpos"] = 0;
        if (StripOnly)
        {
            o["fillcolor"] = "rgba(0,0,0,0)";
            o["line"] = new JsonObject { ["color"] = "rgba(0,0,0,0)" };
            o["hoveron"] = "points";
        }
        if (Marker is not null) o["marker"] = Marker.ToJson();
    }
}
