using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Profiling;
using ArchNotebooks.Library.Reporting;
using ArchNotebooks.Library.Runtime;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>A <see cref="LatencyProfile"/> as a layer table (latency, share of the whole, memory) and a bar chart of the leaf layers.</summary>
public sealed record LayerProfile(LatencyProfile Profile) : IMimeRenderable
{
    /// <summary>The process's host memory after profiling (null: not read).</summary>
    public MemoryReading? Memory { get; init; }
    /// <summary>Whether <see cref="Memory"/>'s peak counts from the start of the profile (else from the start of the process).</summary>
    public bool PeakSinceStart { get; init; }

    string Title => $"Profile of {Profile.Model} ({Profile.ModelType})";

    string MemoryLine => Memory is { } m
        ? $"process host memory: {LayerSummary.Bytes(m.ResidentBytes)} resident, peak {LayerSummary.Bytes(m.PeakResidentBytes)} {(PeakSinceStart ? "while profiling" : "since the process started")}"
        : "";
    double Total => Profile.TotalMilliseconds;

    static string Ms(double? ms) => ms is { } v ? v.ToString(v < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture) : "—";

    string Share(ProfileRow r) => r.Milliseconds is { } v && Total > 0 ? (v / Total).ToString("0.0%", CultureInfo.InvariantCulture) : "—";

    public Figure Chart()
    {
        var leaves = Profile.Rows.Where(r => r.Leaf && r.Milliseconds is not null).ToList();
        return new Figure([new Bar(leaves.Select(r => r.Milliseconds!.Value).ToList())
        {
            Categories = leaves.Select(r => r.Path).ToList(),
            Text = leaves.Select(r => $"{r.Path} ({r.Type}): {Ms(r.Milliseconds)} ms").ToList(), HoverTemplate = "%{text}<extra></extra>",
        }], new Layout
        {
            Title = $"Latency of each leaf layer on {Profile.Device} (ms, median of {Profile.Repeats})", Height = 360, ShowLegend = false, Margin = (60, 20, 50, 120),
            XAxes = [new Axis { TickAngle = -45, ShowGrid = false }], YAxes = [new Axis { Title = "ms" }],
        });
    }

    string Caption => $"each layer timed alone on the input it saw in one forward on {Profile.InputShape}, median of {Profile.Repeats} calls on {Profile.Device}; " +
        "latency and share include sublayers; memory is the layer's output and its parameters" + (Profile.Interrupted ? "; INTERRUPTED: layers without a time were not reached" : "")
        + (MemoryLine.Length > 0 ? "; " + MemoryLine : "");

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var rows = Profile.Rows.Select(r => (IEnumerable<string>)
        [
            $"<td style=\"padding-left:{10 + 14 * r.Depth}px\"><code>{HtmlText.Escape(r.Name)}</code></td>",
            $"<td style=\"text-align:left\" class=\"archnb-type\">{HtmlText.Escape(r.Type)}</td>",
            Ms(r.Milliseconds), Share(r), LayerSummary.Bytes(r.OutputBytes), LayerSummary.Bytes(r.ParameterBytes),
        ]);
        var html = new StringBuilder($"<h4>{HtmlText.Escape(Title)}</h4>");
        html.Append(HtmlText.Table(["layer", "type", "latency (ms)", "share", "output memory", "parameter memory"], rows, Caption));
        html.Append(Chart().ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString() => Title + "\n" + TextTable.Render(["layer", "type", "latency (ms)", "share", "output memory", "parameter memory"],
        Profile.Rows.Select(r => (IReadOnlyList<string>)[new string(' ', 2 * r.Depth) + r.Name, r.Type, Ms(r.Milliseconds), Share(r), LayerSummary.Bytes(r.OutputBytes), LayerSummary.Bytes(r.ParameterBytes)]).ToList(), ColumnAlignment.NumbersRight)
        + "\n" + Caption;
}
