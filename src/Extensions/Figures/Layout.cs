using System.Text.Json.Nodes;

namespace ArchNotebooks.Extensions.Figures;

/// <summary>One axis. In a subplot grid each panel has its own pair, placed by <see cref="Domain"/>.</summary>
public sealed record Axis
{
    public string? Title { get; init; }
    /// <summary>"linear", "log" or "category" (null lets plotly.js infer it).</summary>
    public string? Type { get; init; }
    /// <summary>Fraction of the figure this axis spans, e.g. (0, 0.45) for the left of two panels.</summary>
    public (double From, double To)? Domain { get; init; }
    /// <summary>The axis this one is drawn against, e.g. "y2" for xaxis2.</summary>
    public string? Anchor { get; init; }
    public IReadOnlyList<double>? TickValues { get; init; }
    public IReadOnlyList<string>? TickText { get; init; }
    /// <summary>Top-to-bottom rows, as matrices are read (heatmaps of attention).</summary>
    public bool Reversed { get; init; }
    public double? TickAngle { get; init; }
    public bool ShowTickLabels { get; init; } = true;
    public bool? ShowGrid { get; init; }
    public bool? ZeroLine { get; init; }
    /// <summary>Keeps heatmap cells square: the x axis scaled to this y axis ("y", "y2", ...).</summary>
    public string? ScaleAnchor { get; init; }
    public double? TickFontSize { get; init; }

    public bool IsLog => Type == "log";

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Title is not null) o["title"] = new JsonObject { ["text"] = PlotJson.Text(Title) };
        if (Type is not null) o["type"] = Type;
        if (Domain is { } d) o["domain"] = new JsonArray(d.From, d.To);
        if (Anchor is not null) o["anchor"] = Anchor;
        if (TickValues is not null) { o["tickmode"] = "array"; o["tickvals"] = PlotJson.Numbers(TickValues); }
        if (TickText is not null) o["ticktext"] = PlotJson.Texts(TickText);
        if (Reversed) o["autorange"] = "reversed";
        if (TickAngle is { } a) o["tickangle"] = a;
        if (!ShowTickLabels) o["showticklabels"] = false;
        if (ShowGrid is { } g) o["showgrid"] = g;
        if (ZeroLine is { } z) o["zeroline"] = z;
        if (ScaleAnchor is not null) o["scaleanchor"] = ScaleAnchor;
        if (TickFontSize is { } f) o["tickfont"] = new JsonObject { ["size"] = f };
        o["automargin"] = true;
        return o;
    }
}

/// <summary>A text label placed in paper (0..1) or data coordinates, e.g. a subplot title or a fitted law.</summary>
public sealed record Annotation(string Text, double X, double Y)
{
    /// <summary>"paper" or an axis reference such as "x2".</summary>
    public string XRef { get; init; } = "paper";
    public string YRef { get; init; } = "paper";
    public string XAnchor { get; init; } = "center";
    public string YAnchor { get; init; } = "bottom";
    public double FontSize { get; init; } = 12;
    public string? Color { get; init; }

    internal JsonObject ToJson() => new()
    {
        ["text"] = PlotJson.Text(Text), ["x"] = X, ["y"] = Y, ["xref"] = XRef, ["yref"] = YRef,
        ["xanchor"] = XAnchor, ["yanchor"] = YAnchor, ["showarrow"] = false,
        ["font"] = Color is null ? new JsonObject { ["size"] = FontSize } : new JsonObject { ["size"] = FontSize, ["color"] = Color },
    };
}

/// <summary>One button of a dropdown: plotly's method ("restyle", "relayout", "update") applied with its arguments.</summary>
public sealed record MenuButton(string Label, string Method, JsonArray Args);

/// <summary>A dropdown or button row above the plot, e.g. a head selector that toggles trace visibility.</summary>
public sealed record UpdateMenu(IReadOnlyList<MenuButton> Buttons)
{
    public string Type { get; init; } = "dropdown";
    public int Active { get; init; }
    public double X { get; init; } = 0;
    public double Y { get; init; } = 1.15;
    /// <summary>Which side of the menu sits at <see cref="X"/>: "left" or "right".</summary>
    public string XAnchor { get; init; } = "left";

    internal JsonObject ToJson() => new()
    {
        ["type"] = Type, ["active"] = Active, ["x"] = X, ["y"] = Y, ["xanchor"] = XAnchor, ["yanchor"] = "top", ["showactive"] = true,
        ["buttons"] = new JsonArray(Buttons.Select(b => (JsonNode)new JsonObject
        {
            ["label"] = PlotJson.Text(b.Label), ["method"] = b.Method, ["args"] = b.Args.DeepClone(),
        }).ToArray()),
    };
}

/// <summary>Figure-wide layout: title, axes (index 0 is "xaxis", 1 is "xaxis2", ...), annotations, menus, size.</summary>
public sealed record Layout
{
    public string? Title { get; init; }
    public IReadOnlyList<Axis> XAxes { get; init; } = [new Axis()];
    public IReadOnlyList<Axis> YAxes { get; init; } = [new Axis()];
    public IReadOnlyList<Annotation> Annotations { get; init; } = [];
    public IReadOnlyList<UpdateMenu> UpdateMenus { get; init; } = [];
    public int Height { get; init; } = 380;
    public int? Width { get; init; }
    public bool ShowLegend { get; init; } = true;
    /// <summary>"group", "stack" or "overlay" for several bar traces.</summary>
    public string? BarMode { get; init; }
    public (int Left, int Right, int Top, int Bottom) Margin { get; init; } = (60, 20, 50, 50);

    public Layout WithXAxis(Axis axis) => this with { XAxes = [axis, .. XAxes.Skip(1)] };
    public Layout WithYAxis(Axis axis) => this with { YAxes = [axis, .. YAxes.Skip(1)] };

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Title is not null) o["title"] = new JsonObject { ["text"] = PlotJson.Text(Title), ["x"] = 0.02, ["xanchor"] = "left" };
        for (int i = 0; i < XAxes.Count; i++) o[AxisKey("xaxis", i)] = XAxes[i].ToJson();
        for (int i = 0; i < YAxes.Count; i++) o[AxisKey("yaxis", i)] = YAxes[i].ToJson();
        if (Annotations.Count > 0) o["annotations"] = new JsonArray(Annotations.Select(a => (JsonNode)a.ToJson()).ToArray());
        if (UpdateMenus.Count > 0) o["updatemenus"] = new JsonArray(UpdateMenus.Select(m => (JsonNode)m.ToJson()).ToArray());
        o["height"] = Height;
        if (Width is { } w) o["width"] = w;
        o["showlegend"] = ShowLegend;
        if (BarMode is not null) o["barmode"] = BarMode;
        o["margin"] = new JsonObject { ["l"] = Margin.Left, ["r"] = Margin.Right, ["t"] = Margin.Top, ["b"] = Margin.Bottom };
        o["font"] = new JsonObject { ["family"] = Style.FontFamily, ["size"] = 12, ["color"] = Style.Ink };
        o["paper_bgcolor"] = "#ffffff";
        o["plot_bgcolor"] = "#ffffff";
        o["hoverlabel"] = new JsonObject { ["font"] = new JsonObject { ["family"] = Style.MonoFamily } };
        return o;
    }

    internal static string AxisKey(string prefix, int index) => index == 0 ? prefix : prefix + (index + 1);

    /// <summary>The axis named by a trace's reference ("x" → XAxes[0], "x3" → XAxes[2]).</summary>
    internal Axis? Resolve(string reference)
    {
        var list = reference[0] == 'x' ? XAxes : YAxes;
        int index = reference.Length == 1 ? 0 : int.Parse(reference.AsSpan(1)) - 1;
        return index < list.Count ? list[index] : null;
    }
}

/// <summary>plotly.js options for the interactive chart.</summary>
public sealed record PlotConfig(bool Responsive = true, bool DisplayLogo = false, bool? DisplayModeBar = null)
{
    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["responsive"] = Responsive, ["displaylogo"] = DisplayLogo };
        if (DisplayModeBar is { } m) o["displayModeBar"] = m;
        return o;
    }
}
