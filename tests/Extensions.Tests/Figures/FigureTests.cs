using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Tests.Figures;

public class FigureTests
{
    static IEnumerable<XElement> Elements(string svg, string name) => XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == name);

    [Fact]
    public void A_figure_serialises_to_plotlys_data_layout_config_schema()
    {
        var fig = new Figure([new Scatter([1, 2, 3], [0.5, 0.25, double.NaN]) { Name = "loss", Mode = "lines+markers" }],
            new Layout { Title = "curve", XAxes = [new Axis { Title = "step" }], YAxes = [new Axis { Title = "loss", Type = "log" }] });
        var json = JsonNode.Parse(fig.ToPlotlyJson())!.AsObject();
        Assert.Equal(["data", "layout", "config"], json.Select(p => p.Key));
        var trace = json["data"]![0]!;
        Assert.Equal("scatter", (string?)trace["type"]);
        Assert.Equal("lines+markers", (string?)trace["mode"]);
        Assert.Equal("loss", (string?)trace["name"]);
        Assert.Null(trace["y"]![2]);  // NaN is a gap, not invalid JSON
        Assert.Equal("log", (string?)json["layout"]!["yaxis"]!["type"]);
        Assert.Equal("step", (string?)json["layout"]!["xaxis"]!["title"]!["text"]);
        Assert.False((bool)json["config"]!["displaylogo"]!);
    }

    [Fact]
    public void Subplots_number_their_axes_and_heatmap_labels_become_tick_text()
    {
        var heat = new Heatmap([[0.1, 0.9], [0.5, 0.5]]) { XLabels = ["the", "the"], YLabels = ["a", "b"], XAxis = "x2", YAxis = "y2" };
        var fig = new Figure([new Bar([1, 2]) { Categories = ["p", "q"] }, heat], new Layout
        {
            XAxes = [new Axis { Domain = (0, 0.45) }, new Axis { Domain = (0.55, 1), Anchor = "y2" }],
            YAxes = [new Axis(), new Axis { Anchor = "x2", Reversed = true }],
            UpdateMenus = [new UpdateMenu([new MenuButton("first", "restyle", new JsonArray(new JsonObject { ["visible"] = true }))])],
        });
        var json = fig.ToJson();
        var layout = json["layout"]!;
        Assert.Equal(0.55, (double)layout["xaxis2"]!["domain"]![0]!);
        Assert.Equal(["the", "the"], layout["xaxis2"]!["ticktext"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("x2", (string?)json["data"]![1]!["xaxis"]);
        // Repeated tokens stay two columns: positions are indices.
        Assert.Equal([0.0, 1.0], json["data"]![1]!["x"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("first", (string?)layout["updatemenus"]![0]!["buttons"]![0]!["label"]);
        Assert.Equal(["p", "q"], json["data"]![0]!["x"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void The_static_svg_draws_lines_bars_and_heatmaps_as_well_formed_xml()
    {
        var line = new Figure([new Scatter([1, 2, 3, 4], [4, 3, 2, 1]) { Name = "a" }, new Scatter([1, 2, 3, 4], [1, 2, 3, 4]) { Name = "b", Mode = "markers" }], new Layout { Title = "two" });
        var svg = line.ToSvg()!;
        Assert.Single(Elements(svg, "path"));
        Assert.Equal(4, Elements(svg, "circle").Count());
        Assert.Contains(Elements(svg, "text"), t => t.Value == "two");
        Assert.Contains(Elements(svg, "text"), t => t.Value == "b");  // legend

        var bars = new Figure(new Bar([3, 1, 2]) { Categories = ["x", "y", "z"] }).ToSvg()!;
        var rects = Elements(bars, "rect").Where(r => r.Attribute("fill")?.Value == Style.Color(0)).ToList();
        Assert.Equal(3, rects.Count);
        double H(XElement r) => double.Parse(r.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(H(rects[0]) > H(rects[2]) && H(rects[2]) > H(rects[1]));

        var heat = new Figure(new Heatmap([[0, 1], [1, 0]]) { Colorscale = Colorscale.Blues }).ToSvg()!;
        var cells = Elements(heat, "rect").Where(r => r.Element(r.Name.Namespace + "title") is not null).ToList();
        Assert.Equal(4, cells.Count);
        Assert.Equal(Colorscale.Blues.Stops[0].Color, cells[0].Attribute("fill")!.Value);
        Assert.Equal(Colorscale.Blues.Stops[^1].Color, cells[1].Attribute("fill")!.Value);
    }

    [Fact]
    public void Log_axes_get_decade_ticks_in_svg()
    {
        var fig = new Figure([new Scatter([10, 100, 1000, 10000], [1, 0.5, 0.25, 0.125])], new Layout { XAxes = [new Axis { Type = "log" }] });
        var labels = Elements(fig.ToSvg()!, "text").Select(t => t.Value).ToList();
        Assert.Contains("100", labels);
        Assert.Contains("1000", labels);
        Assert.Contains("1e4", labels);
    }

    [Fact]
    public void Histogram_and_box_traces_have_no_static_form_and_the_html_says_plotly_is_needed()
    {
        var fig = new Figure([new Histogram([1, 2, 2, 3]) { Bins = 3 }, new Box([1, 2, 3]) { StripOnly = true }], new Layout { Title = "dist" });
        Assert.Null(fig.ToSvg());
        var html = fig.ToHtml();
        Assert.Contains("plotly.js not loaded", html);
        var json = fig.ToJson();
        Assert.Equal(3, (int)json["data"]![0]!["nbinsx"]!);
        Assert.Equal("all", (string?)json["data"]![1]!["boxpoints"]);
    }

    [Fact]
    public void A_figure_bundle_carries_plotly_json_html_svg_and_text()
    {
        var fig = new Figure(new Scatter([0, 1], [1, 0]) { Name = "line" });
        var bundle = new MimeBundle();
        fig.Render(bundle);
        Assert.IsType<JsonObject>(bundle[MimeBundle.Plotly]);
        Assert.Contains("Plotly.newPlot", (string)bundle[MimeBundle.Html]);
        Assert.StartsWith("<svg", (string)bundle[MimeBundle.Svg]);
        Assert.Contains("scatter 'line' 2 points", (string)bundle[MimeBundle.PlainText]);
        // The JSON embedded in the HTML parses back to the same figure.
        var html = (string)bundle[MimeBundle.Html];
        int start = html.IndexOf("-data\">", StringComparison.Ordinal) + 7;
        var embedded = html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)];
        Assert.Equal(fig.ToJson().ToJsonString(), JsonNode.Parse(embedded)!.ToJsonString());
    }

    [Fact]
    public void Colorscales_interpolate_between_stops()
    {
        var scale = new Colorscale("bw", [(0, "#000000"), (1, "#ffffff")]);
        Assert.Equal("#000000", scale.ColorAt(0));
        Assert.Equal("#808080", scale.ColorAt(0.5));
        Assert.Equal("#ffffff", scale.ColorAt(2));
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(scale.ToJson().ToJsonString()).RootElement.ValueKind);
    }
}
