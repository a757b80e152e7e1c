using System.Data.Common;
using ArchNotebooks.Library.Tasks;
using DuckDB.NET.Data;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Data;

/// <summary>
/// Reads a CSV or Parquet table through DuckDB (the engine the run log already ships) into a
/// <see cref="TensorDataset"/>: numeric feature columns become float32 inputs, the target column
/// class ids or float32 values. Missing values are refused by row and column rather than guessed.
/// </summary>
static class TableReader
{
    internal static TensorDataset Read(string path, string format, string target, string[]? features, LossKind? loss, SplitOptions? splits, string? name)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(target);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"no {format} file at {full}", full);
        var (columns, types, values) = Load(full, format);
        int targetColumn = Find(columns, target, full);
        var featureColumns = (features ?? columns.Where(c => c != target).ToArray()).Select(c => Find(columns, c, full)).ToArray();
        if (featureColumns.Length == 0) throw new ArgumentException($"{full} has no column besides the target '{target}' to use as a feature");
        if (featureColumns.Contains(targetColumn)) throw new ArgumentException($"the target '{target}' is also listed among the features");
        int rows = values.Count;
        if (rows == 0) throw new ArgumentException($"{full} has a header but no rows");

        var x = new float[rows * featureColumns.Length];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < featureColumns.Length; f++)
                x[r * featureColumns.Length + f] = (float)Number(values[r][featureColumns[f]], columns[featureColumns[f]], types[featureColumns[f]], r, full);

        var kind = loss ?? (IsFloating(types[targetColumn]) ? LossKind.Regression : LossKind.Classification);
        if (kind == LossKind.PerToken) throw new ArgumentException("a table has one target per row: use Classification or Regression");
        using var scope = NewDisposeScope();
        var inputs = tensor(x, new long[] { rows, featureColumns.Length });
        string datasetName = name ?? Path.GetFileNameWithoutExtension(full);
        var featureNames = featureColumns.Select(c => columns[c]).ToArray();
        if (kind == LossKind.Regression)
        {
            var y = new float[rows];
            for (int r = 0; r < rows; r++) y[r] = (float)Number(values[r][targetColumn], target, types[targetColumn], r, full);
            return new TensorDataset(inputs, tensor(y), kind, splits, datasetName) { FeatureNames = featureNames, Source = full };
        }
        // Classes are the target's distinct values in sorted order (numerically for numbers), so the same file always gives the same ids.
        var raw = new object[rows];
        for (int r = 0; r < rows; r++) raw[r] = values[r][targetColumn] is DBNull or null ? throw Missing(target, r, full) : values[r][targetColumn];
        bool numeric = raw.All(v => v is not string);
        var distinct = numeric
            ? raw.Select(v => Convert.ToDouble(v)).Distinct().Order().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : raw.Select(v => v.ToString()!).Distinct().Order(StringComparer.Ordinal).ToArray();
        var id = distinct.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => (long)p.i);
        var labels = raw.Select(v => id[numeric ? Convert.ToDouble(v).ToString(System.Globalization.CultureInfo.InvariantCulture) : v.ToString()!]).ToArray();
        if (distinct.Length < 2) throw new ArgumentException($"the target '{target}' in {full} has a single value ({distinct[0]}): a classification needs at least two classes");
        return new TensorDataset(inputs, tensor(labels), kind, splits, datasetName) { ClassNames = distinct, FeatureNames = featureNames, Source = full };
    }

    static (string[] columns, Type[] types, List<object[]> rows) Load(string path, string format)
    {
        using var connection = new DuckDBConnection(DuckDBConnectionStringBuilder.InMemoryConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // Parquet and CSV readers are built into DuckDB: never fetch an extension from the network.
        command.CommandText = "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;";
        command.ExecuteNonQuery();
        string literal = "'" + path.Replace("'", "''") + "'";
        command.CommandText = format == "csv" ? $"SELECT * FROM read_csv({literal}, header = true)" : $"SELECT * FROM read_parquet({literal})";
        try
        {
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();
            var rows = new List<object[]>();
            while (reader.Read())
            {
                var row = new object[reader.FieldCount];
                reader.GetValues(row);
                rows.Add(row);
            }
            return (columns, types, rows);
        }
        catch (DbException e)
        {
            throw new InvalidDataException($"DuckDB could not read {path} as {format}: {e.Message}", e);
        }
    }

    static int Find(string[] columns, string column, string path)
    {
        int i = Array.IndexOf(columns, column);
        return i >= 0 ? i : throw new ArgumentException($"{path} has no column '{column}'; its columns: {string.Join(", ", columns)}");
    }

    static bool IsFloating(Type t) => t == typeof(double) || t == typeof(float) || t == typeof(decimal);

    static double Number(object value, string column, Type type, int row, string path)
    {
        if (value is DBNull or null) throw Missing(column, row, path);
        return value switch
        {
            bool b => b ? 1 : 0,
            string s => throw new ArgumentException($"column '{column}' of {path} holds text (\"{s}\" in row {row + 1}); features must be numeric: choose the numeric columns with features: [...]"),
            IConvertible c when type != typeof(DateTime) => c.ToDouble(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"column '{column}' of {path} holds {type.Name} values, which are not numbers"),
        };
    }

    static ArgumentException Missing(string column, int row, string path) =>
        new($"column '{column}' of {path} has no value in data row {row + 1}: fill or drop missing values before loading");
}
