using System.Globalization;
using DuckDB.NET.Data;

namespace ArchNotebooks.Runs;

/// <summary>Writes rows to a Parquet file through DuckDB, atomically: readers see the old file or the whole new one.</summary>
/// <remarks>
/// Rows go through DuckDB's appender into a scratch table, DuckDB's COPY writes them to a hidden temporary
/// file in the destination directory, and a rename (atomic within one file system) publishes it.
/// </remarks>
internal sealed class ParquetFileWriter(RunDatabase database)
{
    // Scratch tables are kept per column layout and emptied after each write: creating and dropping a table
    // on every flush was a measurable share of a flush's fixed cost.
    private readonly Dictionary<string, string> scratchTables = new(StringComparer.Ordinal);

    /// <summary>
    /// Appends rows into a scratch table with <paramref name="columns"/> and writes it to <paramref name="path"/>,
    /// optionally through a projection (<paramref name="select"/>, a SELECT list over the scratch table).
    /// </summary>
    public void Write(string path, IReadOnlyList<ColumnSpec> columns, Action<DuckDBAppender> appendRows, string select = "*")
    {
        var definition = string.Join(", ", columns.Select(c => $"{Sql.Identifier(c.Name)} {c.SqlType}"));
        if (!scratchTables.TryGetValue(definition, out var table))
        {
            table = $"scratch_{scratchTables.Count + 1}";
            database.Execute($"CREATE TABLE {table} ({definition})");
            scratchTables[definition] = table;
        }
        try
        {
            Append(table, appendRows);
            CopyToFile($"SELECT {select} FROM {table}", path);
        }
        finally
        {
            database.Execute($"DELETE FROM {table}");
        }
    }

    // Closing the appender hands its last data chunk to DuckDB, so errors DuckDB raises on taking the rows
    // surface there. If filling it failed, closing is only cleanup: the scratch table is emptied anyway, and
    // the first exception is the one worth reporting.
    private void Append(string table, Action<DuckDBAppender> appendRows)
    {
        var appender = database.CreateAppender(table);
        try
        {
            appendRows(appender);
        }
        catch
        {
            try { appender.Dispose(); } catch (DuckDBException) { } catch (InvalidOperationException) { }
            throw;
        }
        RunDatabase.Translate(appender.Close, null);
    }

    /// <summary>Writes the result of a query (e.g. a merge of chunk files) to <paramref name="path"/> atomically.</summary>
    public void CopyToFile(string query, string path)
    {
        var temporary = TemporaryPath(path);
        try
        {
            database.Execute($"COPY ({query}) TO {Sql.Literal(temporary)} (FORMAT parquet)");
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Appends one cell of the given kind, converting the boxed value.</summary>
    public static IDuckDBAppenderRow AppendValue(IDuckDBAppenderRow row, ColumnKind kind, object? value) => value is null ? row.AppendNullValue() : kind switch
    {
        ColumnKind.Varchar => row.AppendValue(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture)),
        ColumnKind.BigInt => row.AppendValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ColumnKind.Integer => row.AppendValue(Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        ColumnKind.Double => row.AppendValue(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        ColumnKind.Boolean => row.AppendValue((bool)value),
        _ => row.AppendValue(Utc((DateTime)value)),
    };

    // The run log stores UTC instants; a local time is converted, an unspecified one taken as UTC already.
    public static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;

    // Hidden, process-specific, and not ending in .parquet, so no reader's file scan ever picks it up.
    private static string TemporaryPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
