using System.Runtime.InteropServices;
using System.Text;

namespace ArchNotebooks.Library.Runs.DuckDb;

/// <summary>An in-memory DuckDB database with one connection; the single owner of both native handles.</summary>
/// <remarks>Not thread-safe: DuckDB connections must not be used from two threads at once, so callers serialise.</remarks>
internal sealed unsafe class DuckDbConnection : IDisposable
{
    private IntPtr database;
    private IntPtr connection;

    public DuckDbConnection(int threads = 1)
    {
        DuckDbLibrary.EnsureRegistered();
        IntPtr db;
        // A null path asks for an in-memory database: all persistence is the Parquet files we COPY out.
        if (DuckDbNative.Open(null, out db) != DuckDbNative.Success)
            throw new DuckDbException("DuckDB could not open an in-memory database.");
        database = db;
        if (DuckDbNative.Connect(database, out var conn) != DuckDbNative.Success)
        {
            DuckDbNative.Close(ref database);
            throw new DuckDbException("DuckDB could not open a connection.");
        }
        connection = conn;
        // Logging runs beside a training loop: one worker thread keeps DuckDB off the loop's cores, and
        // extensions must never be fetched from the network (parquet and json are built into the library).
        Execute($"SET threads TO {threads}; SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;");
    }

    /// <summary>DuckDB's version string, e.g. "v1.5.0".</summary>
    public static string LibraryVersion
    {
        get
        {
            DuckDbLibrary.EnsureRegistered();
            return Marshal.PtrToStringUTF8((IntPtr)DuckDbNative.LibraryVersion()) ?? "";
        }
    }

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(connection == IntPtr.Zero, this);
            return connection;
        }
    }

    /// <summary>Runs one or more statements and discards their results.</summary>
    public void Execute(string sql)
    {
        DuckDbNative.Result result;
        Run(sql, &result);
        DuckDbNative.DestroyResult(&result);
    }

    /// <summary>Runs a statement and materialises its (last) result as a <see cref="RunTable"/>.</summary>
    public RunTable Query(string sql)
    {
        DuckDbNative.Result result;
        Run(sql, &result);
        try
        {
            return DuckDbResultReader.Read(&result);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    public DuckDbAppender CreateAppender(string table) => new(this, table);

    private void Run(string sql, DuckDbNative.Result* result)
    {
        var handle = Handle;
        if (sql.Contains('\0')) throw new ArgumentException("SQL text must not contain a NUL character.", nameof(sql));
        var bytes = Utf8(sql);
        fixed (byte* text = bytes)
        {
            if (DuckDbNative.Query(handle, text, result) == DuckDbNative.Success) return;
        }
        var message = Marshal.PtrToStringUTF8((IntPtr)DuckDbNative.ResultError(result)) ?? "unknown DuckDB error";
        DuckDbNative.DestroyResult(result);
        throw new DuckDbException(message) { Sql = sql };
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/> for the C API.</summary>
    internal static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    public void Dispose()
    {
        if (connection != IntPtr.Zero) DuckDbNative.Disconnect(ref connection);
        if (database != IntPtr.Zero) DuckDbNative.Close(ref database);
        connection = IntPtr.Zero;
        database = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~DuckDbConnection()
    {
        if (connection != IntPtr.Zero) DuckDbNative.Disconnect(ref connection);
        if (database != IntPtr.Zero) DuckDbNative.Close(ref database);
    }
}
