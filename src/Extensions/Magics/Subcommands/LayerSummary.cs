using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Profiling;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>A <see cref="ModelSummary"/> as a layer table (HTML and text) with totals underneath.</summary>
public sealed record LayerSummary(ModelSummary Summary) : IMimeRenderable
{
    string Title => $"Summary of {Summary.Model} ({Summary.ModelType})";

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var rows = Summary.Rows.Select(r => (IEnumerable<string>)
        [
            $"<td style=\"padding-left:{10 + 14 * r.Depth}px\"><code>{HtmlText.Escape(r.Name)}</code></td>",
            $"<td style=\"text-align:left\" class=\"archnb-type\">{HtmlText.Escape(r.Type)}</td>",
            HtmlText.Escape(r.OutputShape), HtmlText.Count(r.Parameters), FormatFlops(r.Flops), Bytes(r.OutputBytes),
        ]).Append(
        [
            "<td><b>total</b></td>", "<td></td>", HtmlText.Escape("input " + Summary.InputShape),
            $"<b>{HtmlText.Count(Summary.Parameters)}</b>", $"<b>{FormatFlops(Summary.Flops)}</b>", $"<b>{Bytes(Summary.ActivationBytes)}</b>",
        ]);
        bundle[MimeBundle.Html] = HtmlText.Block($"<h4>{HtmlText.Escape(Title)}</h4>" + HtmlText.Table(["layer", "type", "output shape", "parameters", "FLOPs", "output memory"], rows, Caption));
    }

    string Caption => $"{HtmlText.Count(Summary.Parameters)} parameters ({HtmlText.Count(Summary.Trainable)} trainable); FLOPs of one forward on input {Summary.InputShape}, 2 per multiply-add, " +
        "counted for Linear, convolutions and attention (projections, QK\u1d40, AV); parameters and FLOPs include sublayers; " +
        "total output memory sums the leaf layers' outputs (what backward keeps)" + (Summary.Unestimated > 0 ? $"; {Summary.Unestimated} layer(s) without an estimate (?)" : "") + ".";

    public static string FormatFlops(double? f) => f switch
    {
        null => "?",
        >= 1e12 => FormattableString.Invariant($"{f / 1e12:0.##} T"),
        >= 1e9 => FormattableString.Invariant($"{f / 1e9:0.##} G"),
        >= 1e6 => FormattableString.Invariant($"{f / 1e6:0.##} M"),
        >= 1e3 => FormattableString.Invariant($"{f / 1e3:0.##} k"),
        _ => FormattableString.Invariant($"{f:0}"),
    };

    public static string Bytes(long b) => b switch
    {
        >= 1L << 30 => FormattableString.Invariant($"{b / (double)(1L << 30):0.##} GiB"),
        >= 1L << 20 => FormattableString.Invariant($"{b / (double)(1L << 20):0.##} MiB"),
        >= 1L << 10 => FormattableString.Invariant($"{b / 1024.0:0.##} KiB"),
        _ => FormattableString.Invariant($"{b} B"),
    };

    public override string ToString() => Title + "\n" + TextTable.Render(["layer", "type", "output shape", "parameters", "FLOPs", "output memory"],
        Summary.Rows.Select(r => (IReadOnlyList<string>)[new string(' ', 2 * r.Depth) + r.Name, r.Type, r.OutputShape, HtmlText.Count(r.Parameters), FormatFlops(r.Flops), Bytes(r.OutputBytes)])
            .Append(["total", "", "input " + Summary.InputShape, HtmlText.Count(Summary.Parameters), FormatFlops(Summary.Flops), Bytes(Summary.ActivationBytes)]).ToList(), ColumnAlignment.NumbersRight) + "\n" + Caption;
}
