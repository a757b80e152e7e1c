using System.Runtime.InteropServices;
using System.Text;

namespace ArchNotebooks.Library.Runs.DuckDb;

/// <summary>DuckDB's appender for one table: the fast way to bulk-insert rows without building SQL text.</summary>
/// <remarks>Values go in column order; each row ends with <see cref="EndRow"/>. Owns its native handle.</remarks>
internal sealed unsafe class DuckDbAppender : IDisposable
{
    private IntPtr appender;

    public DuckDbAppender(DuckDbConnection connection, string table)
    {
        var name = DuckDbConnection.Utf8(table);
        fixed (byte* tableName = name)
        {
            if (DuckDbNative.AppenderCreate(connection.Handle, null, tableName, out appender) != DuckDbNative.Success)
            {
                var message = ErrorText();
                DuckDbNative.AppenderDestroy(ref appender);
                throw new DuckDbException($"DuckDB could not create an appender for table '{table}': {message}");
            }
        }
    }

    public void Append(long value) => Check(DuckDbNative.AppendInt64(appender, value));
    public void Append(double value) => Check(DuckDbNative.AppendDouble(appender, value));
    public void Append(bool value) => Check(DuckDbNative.AppendBool(appender, value ? (byte)1 : (byte)0));
    public void AppendNull() => Check(DuckDbNative.AppendNull(appender));

    /// <summary>Appends a TIMESTAMP as microseconds since the Unix epoch (UTC).</summary>
    public void AppendTimestamp(DateTime utc) => Check(DuckDbNative.AppendTimestamp(appender, ToUnixMicros(utc)));

    public void Append(string? value)
    {
        if (value is null) { AppendNull(); return; }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (byteCount <= 256)
        {
            var bytes = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(value, new Span<byte>(bytes, byteCount));
            Check(DuckDbNative.AppendVarchar(appender, bytes, (ulong)byteCount));
        }
        else
        {
            Append(Encoding.UTF8.GetBytes(value));
        }
    }

    /// <summary>Appends VARCHAR text already encoded as UTF-8 (lets hot paths cache encodings of repeated names).</summary>
    public void Append(ReadOnlySpan<byte> utf8)
    {
        fixed (byte* bytes = utf8)
            Check(DuckDbNative.AppendVarchar(appender, bytes, (ulong)utf8.Length));
    }

    /// <summary>Appends a whole data chunk (see <see cref="DuckDbChunk"/>) in one call.</summary>
    internal void AppendChunk(IntPtr chunk) => Check(DuckDbNative.AppendChunk(appender, chunk));

    public void EndRow() => Check(DuckDbNative.AppendEndRow(appender));

    /// <summary>Pushes appended rows into the table; errors such as constraint violations surface here.</summary>
    public void Flush() => Check(DuckDbNative.AppenderFlush(appender));

    // An unspecified kind is taken as UTC already: the run log only ever stores UTC instants.
    public static long ToUnixMicros(DateTime utc) =>
        ((utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc).Ticks - DateTime.UnixEpoch.Ticks) / 10;

    private void Check(int state)
    {
        if (state != DuckDbNative.Success) throw new DuckDbException("DuckDB appender error: " + ErrorText());
    }

    private string ErrorText() =>
        appender == IntPtr.Zero ? "no appender" : Marshal.PtrToStringUTF8((IntPtr)DuckDbNative.AppenderError(appender)) ?? "unknown error";

    public void Dispose()
    {
        // Destroy flushes what is left; a failure there must not mask an exception already in flight.
        if (appender != IntPtr.Zero) DuckDbNative.AppenderDestroy(ref appender);
        appender = IntPtr.Zero;
    }
}
