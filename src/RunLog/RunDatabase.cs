using DuckDB.NET.Data;

namespace ArchNotebooks.Runs;

/// <summary>The run log's in-memory DuckDB database: one DuckDB.NET connection, owned here.</summary>
/// <remarks>
/// All persistence is the Parquet files that COPY writes, so the database itself never touches disk.
/// Not thread-safe: a DuckDB connection must not be used from two threads at once, so callers serialise.
/// DuckDB.NET's own errors become <see cref="DuckDbException"/>, which carries the SQL that failed.
/// </remarks>
internal sealed class RunDatabase : IDisposable
{
    private readonly DuckDBConnection connection;

    public RunDatabase(int threads = 1)
    {
        connection = new DuckDBConnection(DuckDBConnectionStringBuilder.InMemoryConnectionString);
        try
        {
            Translate(connection.Open, null);
            // Logging runs beside a training loop: one worker thread keeps DuckDB off the loop's cores, and
            // extensions must never be fetched from the network (parquet and json are built into the library).
            Execute($"SET threads TO {threads}; SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>DuckDB's version string, e.g. "v1.5.6", read once from a throwaway connection.</summary>
    public static string LibraryVersion => Version.Value;

    private static readonly Lazy<string> Version = new(() =>
    {
        using var database = new RunDatabase();
        return (string)database.Query("SELECT version()").Rows[0][0]!;
    });

    /// <summary>Runs one or more statements and discards their results.</summary>
    public void Execute(string sql)
    {
        using var command = Command(sql);
        Translate(() => command.ExecuteNonQuery(), sql);
    }

    /// <summary>Runs a statement and materialises its (last) result as a <see cref="RunTable"/>.</summary>
    public RunTable Query(string sql)
    {
        using var command = Command(sql);
        return Translate(() =>
        {
            using var reader = command.ExecuteReader();
            // Earlier statements (e.g. SET) produce no result set of interest; the last one is the answer.
            var table = RunTableReader.Read(reader);
            while (reader.NextResult()) table = RunTableReader.Read(reader);
            return table;
        }, sql);
    }

    /// <summary>DuckDB's appender for <paramref name="table"/>: bulk rows without SQL text, written into data chunks.</summary>
    public DuckDBAppender CreateAppender(string table) => Translate(() => connection.CreateAppender(table), null);

    private DuckDBCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(connection.State != System.Data.ConnectionState.Open, this);
        if (sql.Contains('\0')) throw new ArgumentException("SQL text must not contain a NUL character.", nameof(sql));
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs <paramref name="work"/>, turning DuckDB.NET's exception into ours with DuckDB's message kept.</summary>
    public static T Translate<T>(Func<T> work, string? sql)
    {
        try
        {
            return work();
        }
        catch (DuckDBException e)
        {
            throw new DuckDbException(e.Message, e) { Sql = sql };
        }
    }

    public static void Translate(Action work, string? sql) => Translate(() => { work(); return 0; }, sql);

    public void Dispose() => connection.Dispose();
}
