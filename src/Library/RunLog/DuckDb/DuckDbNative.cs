using System.Runtime.InteropServices;

namespace ArchNotebooks.Library.Runs.DuckDb;

/// <summary>Declarations of the slice of DuckDB's stable C API (duckdb.h) the run log uses.</summary>
/// <remarks>
/// Every signature is blittable (handles as <see cref="IntPtr"/>, strings as UTF-8 byte pointers) so calls
/// cost no marshalling; ownership and error translation live in <see cref="DuckDbConnection"/>.
/// The library name "duckdb" is resolved by <see cref="DuckDbLibrary"/>.
/// </remarks>
internal static unsafe partial class DuckDbNative
{
    public const string Library = "duckdb";

    /// <summary>duckdb_state: DuckDBSuccess = 0, DuckDBError = 1.</summary>
    public const int Success = 0;

    /// <summary>The C struct duckdb_result; only its address is used, the fields are deprecated.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Result
    {
        public ulong DeprecatedColumnCount;
        public ulong DeprecatedRowCount;
        public ulong DeprecatedRowsChanged;
        public IntPtr DeprecatedColumns;
        public IntPtr DeprecatedErrorMessage;
        public IntPtr InternalData;
    }

    [LibraryImport(Library, EntryPoint = "duckdb_library_version")]
    public static partial byte* LibraryVersion();

    [LibraryImport(Library, EntryPoint = "duckdb_open")]
    public static partial int Open(byte* path, out IntPtr database);

    [LibraryImport(Library, EntryPoint = "duckdb_close")]
    public static partial void Close(ref IntPtr database);

    [LibraryImport(Library, EntryPoint = "duckdb_connect")]
    public static partial int Connect(IntPtr database, out IntPtr connection);

    [LibraryImport(Library, EntryPoint = "duckdb_disconnect")]
    public static partial void Disconnect(ref IntPtr connection);

    [LibraryImport(Library, EntryPoint = "duckdb_query")]
    public static partial int Query(IntPtr connection, byte* sql, Result* result);

    [LibraryImport(Library, EntryPoint = "duckdb_result_error")]
    public static partial byte* ResultError(Result* result);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_result")]
    public static partial void DestroyResult(Result* result);

    [LibraryImport(Library, EntryPoint = "duckdb_column_count")]
    public static partial ulong ColumnCount(Result* result);

    [LibraryImport(Library, EntryPoint = "duckdb_column_name")]
    public static partial byte* ColumnName(Result* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_column_type")]
    public static partial int ColumnType(Result* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_column_logical_type")]
    public static partial IntPtr ColumnLogicalType(Result* result, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_logical_type")]
    public static partial void DestroyLogicalType(ref IntPtr type);

    [LibraryImport(Library, EntryPoint = "duckdb_decimal_scale")]
    public static partial byte DecimalScale(IntPtr type);

    [LibraryImport(Library, EntryPoint = "duckdb_decimal_internal_type")]
    public static partial int DecimalInternalType(IntPtr type);

    // duckdb_fetch_chunk takes the 48-byte result struct by value, as the C header declares it.
    [LibraryImport(Library, EntryPoint = "duckdb_fetch_chunk")]
    public static partial IntPtr FetchChunk(Result result);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_get_size")]
    public static partial ulong ChunkSize(IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_get_vector")]
    public static partial IntPtr ChunkVector(IntPtr chunk, ulong column);

    [LibraryImport(Library, EntryPoint = "duckdb_destroy_data_chunk")]
    public static partial void DestroyChunk(ref IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_vector_get_data")]
    public static partial void* VectorData(IntPtr vector);

    [LibraryImport(Library, EntryPoint = "duckdb_vector_get_validity")]
    public static partial ulong* VectorValidity(IntPtr vector);

    [LibraryImport(Library, EntryPoint = "duckdb_vector_size")]
    public static partial ulong VectorSize();

    [LibraryImport(Library, EntryPoint = "duckdb_create_logical_type")]
    public static partial IntPtr CreateLogicalType(int type);

    [LibraryImport(Library, EntryPoint = "duckdb_create_data_chunk")]
    public static partial IntPtr CreateChunk(IntPtr* types, ulong columnCount);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_set_size")]
    public static partial void ChunkSetSize(IntPtr chunk, ulong size);

    [LibraryImport(Library, EntryPoint = "duckdb_data_chunk_reset")]
    public static partial void ChunkReset(IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_append_data_chunk")]
    public static partial int AppendChunk(IntPtr appender, IntPtr chunk);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_create")]
    public static partial int AppenderCreate(IntPtr connection, byte* schema, byte* table, out IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_error")]
    public static partial byte* AppenderError(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_flush")]
    public static partial int AppenderFlush(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_destroy")]
    public static partial int AppenderDestroy(ref IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_appender_end_row")]
    public static partial int AppendEndRow(IntPtr appender);

    [LibraryImport(Library, EntryPoint = "duckdb_append_bool")]
    public static partial int AppendBool(IntPtr appender, byte value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_int64")]
    public static partial int AppendInt64(IntPtr appender, long value);

    [LibraryImport(Library, EntryPoint = "duckdb_append_double")]
    public static partial int AppendDouble(IntPtr appender, double value);

    // duckdb_timestamp is a struct holding one int64 of microseconds since the Unix epoch.
    [LibraryImport(Library, EntryPoint = "duckdb_append_timestamp")]
    public static partial int AppendTimestamp(IntPtr appender, long micros);

    [LibraryImport(Library, EntryPoint = "duckdb_append_varchar_length")]
    public static partial int AppendVarchar(IntPtr appender, byte* value, ulong length);

    [LibraryImport(Library, EntryPoint = "duckdb_append_null")]
    public static partial int AppendNull(IntPtr appender);
}
