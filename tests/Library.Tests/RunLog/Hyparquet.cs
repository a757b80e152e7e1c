using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ArchNotebooks.Library.Tests.Runs;

/// <summary>Runs the npm package hyparquet under node to read a Parquet file independently of DuckDB.</summary>
internal static class Hyparquet
{
    public sealed record Table(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
    {
        public object? Cell(int row, string column) => Rows[row][Columns.ToList().IndexOf(column)];
    }

    public static Table Read(string parquetFile)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "RunLog", "read-parquet.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(PackageDirectory());
        start.ArgumentList.Add(parquetFile);
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        Assert.True(node.WaitForExit(60_000), "node did not finish reading " + parquetFile);
        Assert.True(node.ExitCode == 0, $"hyparquet failed on {parquetFile}: {errors.Result}");
        using var json = JsonDocument.Parse(output.Result);
        var columns = json.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(Decode).ToArray()).ToList();
        return new Table(columns, rows);
    }

    /// <summary>Maps the script's JSON back to the .NET values RunTable uses (long, double, string, bool, DateTime).</summary>
    private static object? Decode(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when value.GetString()!.StartsWith("int:") => long.Parse(value.GetString()![4..], CultureInfo.InvariantCulture),
        JsonValueKind.String when value.GetString()!.StartsWith("us:") =>
            new DateTime(DateTime.UnixEpoch.Ticks + long.Parse(value.GetString()![3..], CultureInfo.InvariantCulture) * 10, DateTimeKind.Utc),
        JsonValueKind.String when value.GetString()!.StartsWith("num:") => double.Parse(value.GetString()![4..], CultureInfo.InvariantCulture),
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };

    private static string PackageDirectory() =>
        RepositoryRoot.NodeModule("hyparquet") ?? throw new InvalidOperationException("node_modules/hyparquet is not installed: npm ci at the repository root (./archnb test runs it)");
}
