using System.Globalization;
using System.Net;
using System.Text;
using ArchNotebooks.Extensions.Figures;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>
/// The HTML pieces every formatter shares: escaping (every string that came from a user, a model
/// or a run goes through <see cref="Escape"/>), number formatting, and one scoped stylesheet so
/// outputs read like tables in a paper whatever the notebook's theme.
/// </summary>
public static class HtmlText
{
    /// <summary>Escapes &lt;, &gt;, &amp;, " and ' (safe in text and in quoted attributes).</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Four significant digits, invariant culture; "—" for NaN, "∞" for infinities.</summary>
    public static string Number(double value, string format = "G4") => value switch
    {
        double.NaN => "—",
        double.PositiveInfinity => "∞",
        double.NegativeInfinity => "-∞",
        _ => value.ToString(format, CultureInfo.InvariantCulture),
    };

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Wraps a fragment in the scoped container with the stylesheet.</summary>
    public static string Block(string inner) => $"<div class=\"archnb\">{Stylesheet}{inner}</div>";

    /// <summary>A table from escaped header cells and already-rendered body cells (each row's cells are HTML).</summary>
    public static string Table(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows, string? caption = null, string? cssClass = null)
    {
        var sb = new StringBuilder($"<table class=\"archnb-table{(cssClass is null ? "" : " " + cssClass)}\">");
        if (caption is not null) sb.Append("<caption>").Append(Escape(caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var h in header) sb.Append("<th>").Append(Escape(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append(cell.StartsWith("<td", StringComparison.Ordinal) ? cell : "<td>" + cell + "</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    const string Stylesheet = "<style>" +
        ".archnb{font-family:" + Style.FontFamily + ";color:" + Style.Ink + ";font-size:13px;line-height:1.45;max-width:100%;overflow-x:auto}" +
        ".archnb h4{margin:.2em 0 .4em;font-size:14px;font-weight:600}" +
        ".archnb .archnb-meta{color:" + Style.Muted + ";margin:.2em 0 .6em}" +
        ".archnb code,.archnb pre{font-family:" + Style.MonoFamily + ";font-size:12px}" +
        ".archnb pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;overflow:auto;max-height:18em;margin:.4em 0}" +
        ".archnb-table{border-collapse:collapse;margin:.4em 0;font-variant-numeric:tabular-nums}" +
        ".archnb-table caption{caption-side:bottom;text-align:left;color:" + Style.Muted + ";font-size:12px;padding-top:6px;max-width:60em}" +
        ".archnb-table th{border-bottom:1.5px solid " + Style.Ink + ";border-top:1.5px solid " + Style.Ink + ";padding:4px 10px;text-align:right;font-weight:600}" +
        ".archnb-table th:first-child,.archnb-table td:first-child{text-align:left}" +
        ".archnb-table td{padding:3px 10px;text-align:right;border-bottom:1px solid " + Style.Grid + "}" +
        ".archnb-table tbody tr:last-child td{border-bottom:1.5px solid " + Style.Ink + "}" +
        ".archnb .better{color:" + Style.Better + ";font-weight:600}.archnb .worse{color:" + Style.Worse + ";font-weight:600}.archnb .insignificant{color:" + Style.Neutral + "}" +
        ".archnb .pass{color:" + Style.Better + ";font-weight:600}.archnb .fail{color:" + Style.Worse + ";font-weight:600}" +
        ".archnb .baseline td{background:#f6f8fa}.archnb .best{font-weight:600}" +
        ".archnb details{margin-left:1em}.archnb details>summary{cursor:pointer;list-style-position:outside}" +
        ".archnb .archnb-type{color:#8250df}.archnb .archnb-count{color:" + Style.Muted + "}" +
        ".archnb .archnb-note{color:" + Style.Muted + ";font-style:italic}" +
        ".archnb .archnb-row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}.archnb .archnb-row>div{flex:1 1 360px;min-width:300px}" +
        ".archnb .archnb-figure{width:100%}" +
        "</style>";
}
