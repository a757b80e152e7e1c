using System.Globalization;
using System.Text;

namespace ArchNotebooks.Runs;

/// <summary>One column of a <see cref="RunTable"/>: its name, DuckDB's type name and the .NET type of its cells.</summary>
public sealed record RunTableColumn(string Name, string SqlType, Type ClrType);

/// <summary>The result of a run-log query: named, typed columns and rows of plain .NET values (null for SQL NULL).</summary>
/// <remarks>
/// Deliberately plain data so that any formatter (notebook HTML, plain text, a plot) can consume it
/// without knowing about DuckDB. Cells are bool, long, ulong, Int128, double, decimal, string, byte[],
/// DateTime (UTC), DateOnly, TimeSpan or Guid.
/// </remarks>
public sealed class RunTable
{
    private const int MaxRowsShown = 50;
    private const int MaxCellWidth = 40;

    public RunTable(IReadOnlyList<RunTableColumn> columns, IReadOnlyList<object?[]> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<RunTableColumn> Columns { get; }
    public IReadOnlyList<object?[]> Rows { get; }
    public int RowCount => Rows.Count;

    /// <summary>The cell at <paramref name="row"/> in the column named <paramref name="column"/> (case-insensitive, as in SQL).</summary>
    public object? this[int row, string column] => Rows[row][IndexOf(column)];

    /// <summary>Position of a column by name; throws naming the available columns when it is absent.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, column, StringComparison.OrdinalIgnoreCase)) return i;
        throw new KeyNotFoundException(
            $"No column '{column}' in the result; columns are: {string.Join(", ", Columns.Select(c => c.Name))}.");
    }

    /// <summary>All cells of one column, in row order.</summary>
    public IEnumerable<object?> Column(string column)
    {
        var index = IndexOf(column);
        return Rows.Select(r => r[index]);
    }

    /// <summary>Renders an aligned plain-text table (first 50 rows), the fallback display everywhere.</summary>
    public override string ToString()
    {
        var shown = Rows.Take(MaxRowsShown).Select(r => r.Select(FormatCell).ToArray()).ToList();
        var widths = Columns.Select((c, i) => Math.Max(c.Name.Length, shown.Count == 0 ? 0 : shown.Max(r => r[i].Length))).ToArray();
        var numeric = Columns.Select(c => IsNumeric(c.ClrType)).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join(" | ", Columns.Select((c, i) => c.Name.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in shown)
            text.AppendLine(string.Join(" | ", row.Select((cell, i) => numeric[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        if (Rows.Count > MaxRowsShown) text.AppendLine($"... {Rows.Count - MaxRowsShown} more rows");
        text.Append(Rows.Count == 1 ? "(1 row)" : $"({Rows.Count} rows)");
        return text.ToString();
    }

    private static bool IsNumeric(Type type) =>
        type == typeof(long) || type == typeof(ulong) || type == typeof(Int128) || type == typeof(double) || type == typeof(decimal);

    /// <summary>Formats one cell for display: invariant culture, control characters made visible, long text cut.</summary>
    public static string FormatCell(object? value)
    {
        var text = value switch
        {
            null => "NULL",
            double d => d.ToString("G6", CultureInfo.InvariantCulture),
            DateTime t => t.ToString(t.TimeOfDay.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            byte[] bytes => "0x" + Convert.ToHexString(bytes),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        text = text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
        return text.Length <= MaxCellWidth ? text : text[..(MaxCellWidth - 1)] + "…";
    }
}
