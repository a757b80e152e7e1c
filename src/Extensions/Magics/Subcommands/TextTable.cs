using System.Text;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>Fixed-width text tables for text/plain: words left-aligned, numbers right-aligned (a column is numeric when every cell starts with a digit, sign or dash).</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        int n = header.Count;
        var widths = Enumerable.Range(0, n).Select(i => Math.Max(header[i].Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var numeric = Enumerable.Range(0, n).Select(i => i > 0 && rows.Count > 0 && rows.All(r => r[i].Length == 0 || char.IsDigit(r[i][0]) || r[i][0] is '-' or '+' or '?' or '—')).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            sb.Append(string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd()).Append('\n');
        Line(header);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var row in rows) Line(row);
        return sb.ToString().TrimEnd('\n');
    }
}
