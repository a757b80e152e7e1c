using System.Text;

namespace ArchNotebooks.Library.Reporting;

/// <summary>How a <see cref="TextTable"/> aligns its columns.</summary>
public enum ColumnAlignment
{
    /// <summary>The first column left, every other column right: a row label followed by values.</summary>
    LabelThenValues,
    /// <summary>A column is right-aligned when every cell starts like a number (a digit, sign, '?' or '—'), else left; the first column is always left.</summary>
    NumbersRight,
}

/// <summary>Fixed-width text tables for plain-text output: a header, a rule of dashes, the rows; columns two spaces apart, no trailing spaces.</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, ColumnAlignment alignment = ColumnAlignment.LabelThenValues)
    {
        int n = header.Count;
        var widths = Enumerable.Range(0, n).Select(i => Math.Max(header[i].Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var right = Enumerable.Range(0, n).Select(i => i > 0 && (alignment == ColumnAlignment.LabelThenValues || rows.Count > 0 && rows.All(r => LooksNumeric(r[i])))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            sb.Append(string.Join("  ", cells.Select((c, i) => right[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd()).Append('\n');
        Line(header);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var row in rows) Line(row);
        return sb.ToString().TrimEnd('\n');
    }

    static bool LooksNumeric(string cell) => cell.Length == 0 || char.IsDigit(cell[0]) || cell[0] is '-' or '+' or '?' or '—';
}
