using System.Runtime.InteropServices;
using System.Text;

namespace ArchNotebooks.Library.Runs.DuckDb;

/// <summary>Turns a materialised duckdb_result into a <see cref="RunTable"/> by walking its data chunks.</summary>
/// <remarks>
/// Reads vectors directly (the non-deprecated path of the C API). Nested and exotic types are refused with a
/// message that says how to get them (cast to VARCHAR), rather than shown wrongly.
/// </remarks>
internal static unsafe class DuckDbResultReader
{
    // duckdb_type values from duckdb.h.
    private const int Boolean = 1, TinyInt = 2, SmallInt = 3, Integer = 4, BigInt = 5, UTinyInt = 6, USmallInt = 7,
        UInteger = 8, UBigInt = 9, Float = 10, Double = 11, Timestamp = 12, Date = 13, Time = 14, HugeInt = 16,
        Varchar = 17, Blob = 18, Decimal = 19, TimestampS = 20, TimestampMs = 21, TimestampNs = 22, Uuid = 27,
        TimestampTz = 31, SqlNull = 36;

    private readonly record struct ColumnReader(int Type, int DecimalStorage, byte DecimalScale);

    public static RunTable Read(DuckDbNative.Result* result)
    {
        var columnCount = (int)DuckDbNative.ColumnCount(result);
        var columns = new RunTableColumn[columnCount];
        var readers = new ColumnReader[columnCount];
        for (var c = 0; c < columnCount; c++)
        {
            var name = Marshal.PtrToStringUTF8((IntPtr)DuckDbNative.ColumnName(result, (ulong)c)) ?? $"column{c}";
            var type = DuckDbNative.ColumnType(result, (ulong)c);
            int storage = 0;
            byte scale = 0;
            if (type == Decimal)
            {
                var logical = DuckDbNative.ColumnLogicalType(result, (ulong)c);
                storage = DuckDbNative.DecimalInternalType(logical);
                scale = DuckDbNative.DecimalScale(logical);
                DuckDbNative.DestroyLogicalType(ref logical);
            }
            var (sqlType, clrType) = Describe(type, name);
            columns[c] = new RunTableColumn(name, sqlType, clrType);
            readers[c] = new ColumnReader(type, storage, scale);
        }

        var rows = new List<object?[]>();
        while (true)
        {
            var chunk = DuckDbNative.FetchChunk(*result);
            if (chunk == IntPtr.Zero) break;
            try
            {
                var size = (int)DuckDbNative.ChunkSize(chunk);
                if (size == 0) break;
                var start = rows.Count;
                for (var r = 0; r < size; r++) rows.Add(new object?[columnCount]);
                for (var c = 0; c < columnCount; c++)
                {
                    var vector = DuckDbNative.ChunkVector(chunk, (ulong)c);
                    var data = DuckDbNative.VectorData(vector);
                    var validity = DuckDbNative.VectorValidity(vector);
                    for (var r = 0; r < size; r++)
                    {
                        var valid = validity == null || (validity[r >> 6] & (1UL << (r & 63))) != 0;
                        rows[start + r][c] = valid ? Cell(readers[c], data, r) : null;
                    }
                }
            }
            finally
            {
                DuckDbNative.DestroyChunk(ref chunk);
            }
        }
        return new RunTable(columns, rows);
    }

    private static (string SqlType, Type ClrType) Describe(int type, string column) => type switch
    {
        Boolean => ("BOOLEAN", typeof(bool)),
        TinyInt => ("TINYINT", typeof(long)),
        SmallInt => ("SMALLINT", typeof(long)),
        Integer => ("INTEGER", typeof(long)),
        BigInt => ("BIGINT", typeof(long)),
        UTinyInt => ("UTINYINT", typeof(long)),
        USmallInt => ("USMALLINT", typeof(long)),
        UInteger => ("UINTEGER", typeof(long)),
        UBigInt => ("UBIGINT", typeof(ulong)),
        Float => ("FLOAT", typeof(double)),
        Double => ("DOUBLE", typeof(double)),
        Timestamp => ("TIMESTAMP", typeof(DateTime)),
        TimestampS => ("TIMESTAMP_S", typeof(DateTime)),
        TimestampMs => ("TIMESTAMP_MS", typeof(DateTime)),
        TimestampNs => ("TIMESTAMP_NS", typeof(DateTime)),
        TimestampTz => ("TIMESTAMP WITH TIME ZONE", typeof(DateTime)),
        Date => ("DATE", typeof(DateOnly)),
        Time => ("TIME", typeof(TimeSpan)),
        HugeInt => ("HUGEINT", typeof(Int128)),
        Varchar => ("VARCHAR", typeof(string)),
        Blob => ("BLOB", typeof(byte[])),
        Decimal => ("DECIMAL", typeof(decimal)),
        Uuid => ("UUID", typeof(Guid)),
        SqlNull => ("NULL", typeof(object)),
        _ => throw new NotSupportedException(
            $"Column '{column}' has a DuckDB type (duckdb_type {type}) that run-log tables do not carry; " +
            $"cast it in the query, e.g. CAST(\"{column}\" AS VARCHAR)."),
    };

    private static object? Cell(ColumnReader reader, void* data, int row) => reader.Type switch
    {
        Boolean => ((byte*)data)[row] != 0,
        TinyInt => (long)((sbyte*)data)[row],
        SmallInt => (long)((short*)data)[row],
        Integer => (long)((int*)data)[row],
        BigInt => ((long*)data)[row],
        UTinyInt => (long)((byte*)data)[row],
        USmallInt => (long)((ushort*)data)[row],
        UInteger => (long)((uint*)data)[row],
        UBigInt => ((ulong*)data)[row],
        Float => (double)((float*)data)[row],
        Double => ((double*)data)[row],
        Timestamp or TimestampTz => FromUnixTicks(((long*)data)[row] * 10),
        TimestampS => FromUnixTicks(((long*)data)[row] * TimeSpan.TicksPerSecond),
        TimestampMs => FromUnixTicks(((long*)data)[row] * TimeSpan.TicksPerMillisecond),
        TimestampNs => FromUnixTicks(((long*)data)[row] / 100),
        Date => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + ((int*)data)[row]),
        Time => TimeSpan.FromTicks(((long*)data)[row] * 10),
        HugeInt => ReadHugeInt((ulong*)data, row),
        Varchar => Encoding.UTF8.GetString(ReadString(data, row)),
        Blob => ReadString(data, row).ToArray(),
        Decimal => ReadDecimal(reader, data, row),
        Uuid => ReadUuid((ulong*)data, row),
        _ => null,
    };

    private static DateTime FromUnixTicks(long ticks) => new(DateTime.UnixEpoch.Ticks + ticks, DateTimeKind.Utc);

    // hugeint is { uint64 lower; int64 upper; } in little-endian order.
    private static Int128 ReadHugeInt(ulong* data, int row) => new(data[2 * row + 1], data[2 * row]);

    // duckdb_string_t: 4-byte length, then either up to 12 inline bytes or a 4-byte prefix and a pointer.
    private static ReadOnlySpan<byte> ReadString(void* data, int row)
    {
        var entry = (byte*)data + 16 * row;
        var length = *(uint*)entry;
        var bytes = length <= 12 ? entry + 4 : *(byte**)(entry + 8);
        return new ReadOnlySpan<byte>(bytes, (int)length);
    }

    private static decimal ReadDecimal(ColumnReader reader, void* data, int row)
    {
        // The internal storage is the duckdb_type of the physical integer holding the scaled value.
        var unscaled = reader.DecimalStorage switch
        {
            SmallInt => (decimal)((short*)data)[row],
            Integer => ((int*)data)[row],
            BigInt => ((long*)data)[row],
            _ => (decimal)ReadHugeInt((ulong*)data, row),
        };
        return unscaled / (decimal)Math.Pow(10, reader.DecimalScale);
    }

    private static Guid ReadUuid(ulong* data, int row)
    {
        // DuckDB flips the top bit of a UUID's upper half so that it sorts as a signed hugeint.
        var upper = data[2 * row + 1] ^ (1UL << 63);
        var lower = data[2 * row];
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, upper);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], lower);
        return new Guid(bytes, bigEndian: true);
    }
}
