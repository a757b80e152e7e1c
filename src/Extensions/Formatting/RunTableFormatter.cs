using System.Text;
using ArchNotebooks.Interactive;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>A run-log query result as an HTML table (numbers right-aligned, every cell escaped, first 100 rows).</summary>
public static class RunTableFormatter
{
    public const int MaxRows = 100;

    public static void Write(RunTable table, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = table.ToString();
        bundle[MimeBundle.Html] = ToHtml(table);
    }

    public static string ToHtml(RunTable table)
    {
        var numeric = table.Columns.Select(c => c.ClrType == typeof(long) || c.ClrType == typeof(double) || c.ClrType == typeof(decimal) || c.ClrType == typeof(int)).ToArray();
        var rows = table.Rows.Take(MaxRows).Select(row => (IEnumerable<string>)row.Select((cell, i) =>
            cell is null ? "<td class=\"insignificant\">NULL</td>"
            : numeric[i] ? HtmlText.Escape(RunTable.FormatCell(cell))
            : $"<td style=\"text-align:left\">{HtmlText.Escape(RunTable.FormatCell(cell))}</td>").ToList());
        var html = new StringBuilder(HtmlText.Table(table.Columns.Select(c => c.Name), rows,
            caption: table.RowCount > MaxRows ? $"first {MaxRows} of {table.RowCount:N0} rows" : table.RowCount == 1 ? "1 row" : $"{table.RowCount:N0} rows"));
        return HtmlText.Block(html.ToString());
    }
}
