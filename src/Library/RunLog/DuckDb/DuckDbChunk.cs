namespace ArchNotebooks.Library.Runs.DuckDb;

/// <summary>A DuckDB data chunk of fixed-width columns, filled by copying whole arrays and handed to an appender.</summary>
/// <remarks>
/// Appending value by value costs several native calls per row; a chunk moves up to
/// <see cref="Capacity"/> rows per column in one copy, which is what keeps a metrics flush cheap.
/// </remarks>
internal sealed unsafe class DuckDbChunk : IDisposable
{
    /// <summary>duckdb_type ids of the fixed-width types a chunk column may have.</summary>
    public const int Integer = 4, BigInt = 5, Double = 11, Timestamp = 12;

    private IntPtr chunk;

    public DuckDbChunk(params int[] types)
    {
        DuckDbLibrary.EnsureRegistered();
        var logical = stackalloc IntPtr[types.Length];
        for (var i = 0; i < types.Length; i++) logical[i] = DuckDbNative.CreateLogicalType(types[i]);
        chunk = DuckDbNative.CreateChunk(logical, (ulong)types.Length);
        for (var i = 0; i < types.Length; i++) DuckDbNative.DestroyLogicalType(ref logical[i]);
        if (chunk == IntPtr.Zero) throw new DuckDbException("DuckDB could not create a data chunk.");
    }

    /// <summary>Rows per chunk (DuckDB's vector size, normally 2048).</summary>
    public static int Capacity { get; } = CapacityOfLibrary();

    /// <summary>Copies <paramref name="values"/> (at most <see cref="Capacity"/>) into a column; the element type must match the column's.</summary>
    public void Set<T>(int column, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (values.Length > Capacity) throw new ArgumentOutOfRangeException(nameof(values), values.Length, $"A chunk holds at most {Capacity} rows.");
        var data = DuckDbNative.VectorData(DuckDbNative.ChunkVector(chunk, (ulong)column));
        values.CopyTo(new Span<T>(data, values.Length));
    }

    /// <summary>Appends the first <paramref name="count"/> rows, then clears the chunk for the next batch.</summary>
    public void AppendTo(DuckDbAppender appender, int count)
    {
        DuckDbNative.ChunkSetSize(chunk, (ulong)count);
        appender.AppendChunk(chunk);
        DuckDbNative.ChunkReset(chunk);
    }

    private static int CapacityOfLibrary()
    {
        DuckDbLibrary.EnsureRegistered();
        return (int)DuckDbNative.VectorSize();
    }

    public void Dispose()
    {
        if (chunk != IntPtr.Zero) DuckDbNative.DestroyChunk(ref chunk);
        chunk = IntPtr.Zero;
    }
}
