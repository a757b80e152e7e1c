using System.Data.Common;
using System.Numerics;
using DuckDB.NET.Native;

namespace ArchNotebooks.Runs;

/// <summary>Turns a DuckDB.NET data reader's current result into a <see cref="RunTable"/> of plain values.</summary>
/// <remarks>
/// DuckDB.NET hands back each SQL type's natural .NET type (int for INTEGER, float for FLOAT, BigInteger for
/// HUGEINT, a stream for BLOB); a run table promises fewer, wider ones (see <see cref="RunTable"/>), so that
/// formatters and callers meet one type per kind of number. Nested and exotic types are refused with a
/// message that says how to get them (cast to VARCHAR), rather than shown wrongly.
/// </remarks>
internal static class RunTableReader
{
    public static RunTable Read(DbDataReader reader)
    {
        var columns = new RunTableColumn[reader.FieldCount];
        var types = new DuckDBType[reader.FieldCount];
        for (var c = 0; c < columns.Length; c++)
        {
            var name = reader.GetName(c);
            types[c] = Enum.Parse<DuckDBType>(reader.GetDataTypeName(c));
            var (sqlType, clrType) = Describe(types[c], name);
            columns[c] = new RunTableColumn(name, sqlType, clrType);
        }
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[columns.Length];
            for (var c = 0; c < row.Length; c++) row[c] = reader.IsDBNull(c) ? null : Cell(reader, c, types[c]);
            rows.Add(row);
        }
        return new RunTable(columns, rows);
    }

    private static (string SqlType, Type ClrType) Describe(DuckDBType type, string column) => type switch
    {
        DuckDBType.Boolean => ("BOOLEAN", typeof(bool)),
        DuckDBType.TinyInt => ("TINYINT", typeof(long)),
        DuckDBType.SmallInt => ("SMALLINT", typeof(long)),
        DuckDBType.Integer => ("INTEGER", typeof(long)),
        DuckDBType.BigInt => ("BIGINT", typeof(long)),
        DuckDBType.UnsignedTinyInt => ("UTINYINT", typeof(long)),
        DuckDBType.UnsignedSmallInt => ("USMALLINT", typeof(long)),
        DuckDBType.UnsignedInteger => ("UINTEGER", typeof(long)),
        DuckDBType.UnsignedBigInt => ("UBIGINT", typeof(ulong)),
        DuckDBType.Float => ("FLOAT", typeof(double)),
        DuckDBType.Double => ("DOUBLE", typeof(double)),
        DuckDBType.Timestamp => ("TIMESTAMP", typeof(DateTime)),
        DuckDBType.TimestampS => ("TIMESTAMP_S", typeof(DateTime)),
        DuckDBType.TimestampMs => ("TIMESTAMP_MS", typeof(DateTime)),
        DuckDBType.TimestampNs => ("TIMESTAMP_NS", typeof(DateTime)),
        DuckDBType.TimestampTz => ("TIMESTAMP WITH TIME ZONE", typeof(DateTime)),
        DuckDBType.Date => ("DATE", typeof(DateOnly)),
        DuckDBType.Time => ("TIME", typeof(TimeSpan)),
        DuckDBType.HugeInt => ("HUGEINT", typeof(Int128)),
        DuckDBType.Varchar => ("VARCHAR", typeof(string)),
        DuckDBType.Blob => ("BLOB", typeof(byte[])),
        DuckDBType.Decimal => ("DECIMAL", typeof(decimal)),
        DuckDBType.Uuid => ("UUID", typeof(Guid)),
        DuckDBType.SqlNull => ("NULL", typeof(object)),
        _ => throw new NotSupportedException(
            $"Column '{column}' has a DuckDB type ({type}) that run-log tables do not carry; " +
            $"cast it in the query, e.g. CAST(\"{column}\" AS VARCHAR)."),
    };

    private static object? Cell(DbDataReader reader, int column, DuckDBType type) => type switch
    {
        DuckDBType.Boolean => reader.GetBoolean(column),
        DuckDBType.TinyInt or DuckDBType.SmallInt or DuckDBType.Integer or DuckDBType.BigInt or DuckDBType.UnsignedTinyInt
            or DuckDBType.UnsignedSmallInt or DuckDBType.UnsignedInteger => Convert.ToInt64(reader.GetValue(column)),
        DuckDBType.UnsignedBigInt => reader.GetFieldValue<ulong>(column),
        DuckDBType.Float or DuckDBType.Double => Convert.ToDouble(reader.GetValue(column)),
        DuckDBType.Timestamp or DuckDBType.TimestampS or DuckDBType.TimestampMs or DuckDBType.TimestampNs or DuckDBType.TimestampTz =>
            Utc(reader.GetValue(column)),
        DuckDBType.Date => reader.GetFieldValue<DateOnly>(column),
        DuckDBType.Time => reader.GetFieldValue<TimeOnly>(column).ToTimeSpan(),
        DuckDBType.HugeInt => (Int128)reader.GetFieldValue<BigInteger>(column),
        DuckDBType.Varchar => reader.GetString(column),
        DuckDBType.Blob => Bytes(reader.GetStream(column)),
        DuckDBType.Decimal => reader.GetDecimal(column),
        DuckDBType.Uuid => reader.GetGuid(column),
        _ => null,
    };

    // Run-log instants are UTC; DuckDB.NET leaves a TIMESTAMP's kind unspecified and gives TIMESTAMPTZ an offset.
    private static DateTime Utc(object value) => value switch
    {
        DateTimeOffset instant => instant.UtcDateTime,
        DateTime { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => throw new InvalidCastException($"DuckDB returned a {value.GetType().Name} for a timestamp column."),
    };

    private static byte[] Bytes(Stream stream)
    {
        using (stream)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
