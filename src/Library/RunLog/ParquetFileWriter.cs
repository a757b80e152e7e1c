using ArchNotebooks.Library.Runs.DuckDb;

namespace ArchNotebooks.Library.Runs;

/// <summary>Writes rows to a Parquet file through DuckDB, atomically: readers see the old file or the whole new one.</summary>
/// <remarks>
/// Rows go through DuckDB's appender into a scratch table, DuckDB's COPY writes them to a hidden temporary
/// file in the destination directory, and a rename (atomic within one file system) publishes it.
/// </remarks>
internal sealed class ParquetFileWriter(DuckDbConnection connection)
{
    // Scratch tables are kept per column layout and emptied after each write: creating and dropping a table
    // on every flush was a measurable share of a flush's fixed cost.
    private readonly Dictionary<string, string> scratchTables = new(StringComparer.Ordinal);

    /// <summary>
    /// Appends rows into a scratch table with <paramref name="columns"/> and writes it to <paramref name="path"/>,
    /// optionally through a projection (<paramref name="select"/>, a SELECT list over the scratch table).
    /// </summary>
    public void Write(string path, IReadOnlyList<ColumnSpec> columns, Action<DuckDbAppender> appendRows, string select = "*")
    {
        var definition = string.Join(", ", columns.Select(c => $"{Sql.Identifier(c.Name)} {c.SqlType}"));
        if (!scratchTables.TryGetValue(definition, out var table))
        {
            table = $"scratch_{scratchTables.Count + 1}";
            connection.Execute($"CREATE TABLE {table} ({definition})");
            scratchTables[definition] = table;
        }
        try
        {
            using (var appender = connection.CreateAppender(table))
            {
                appendRows(appender);
                appender.Flush();
            }
            CopyToFile($"SELECT {select} FROM {table}", path);
        }
        finally
        {
            connection.Execute($"DELETE FROM {table}");
        }
    }

    /// <summary>Writes the result of a query (e.g. a merge of chunk files) to <paramref name="path"/> atomically.</summary>
    public void CopyToFile(string query, string path)
    {
        var temporary = TemporaryPath(path);
        try
        {
            connection.Execute($"COPY ({query}) TO {Sql.Literal(temporary)} (FORMAT parquet)");
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Appends one cell of the given kind, converting the boxed value.</summary>
    public static void AppendValue(DuckDbAppender appender, ColumnKind kind, object? value)
    {
        if (value is null) { appender.AppendNull(); return; }
        switch (kind)
        {
            case ColumnKind.Varchar: appender.Append(value as string ?? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ColumnKind.BigInt or ColumnKind.Integer: appender.Append(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ColumnKind.Double: appender.Append(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ColumnKind.Boolean: appender.Append((bool)value); break;
            case ColumnKind.Timestamp: appender.AppendTimestamp((DateTime)value); break;
        }
    }

    // Hidden, process-specific, and not ending in .parquet, so no reader's file scan ever picks it up.
    private static string TemporaryPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
