using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArchNotebooks.Runs;

/// <summary>Serialises a run's config to JSON and flattens it into typed columns (<c>config.a.b</c>) for SQL.</summary>
internal static class ConfigColumns
{
    /// <summary>
    /// NaN and infinities are legitimate in configs and metrics, so they are written as JSON literals;
    /// enums are written by name, so a query reads <c>"config.Norm" = 'RMSNorm'</c>, not a number.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string? Serialize(object? config)
    {
        if (config is null) return null;
        try
        {
            return config is string text ? JsonSerializer.Serialize(text, Json) : JsonSerializer.Serialize(config, config.GetType(), Json);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"The run config of type {config.GetType().Name} cannot be serialised to JSON: {e.Message}", nameof(config), e);
        }
    }

    /// <summary>Leaf values of a JSON object keyed by dotted path; arrays stay JSON text in one column.</summary>
    /// <remarks>
    /// DuckDB column names are case-insensitive, so a second leaf differing only in case is dropped here
    /// (it is still in the full JSON column) rather than failing the write.
    /// </remarks>
    public static IReadOnlyList<(ColumnSpec Column, object? Value)> Flatten(string? json, string prefix)
    {
        var columns = new List<(ColumnSpec, object?)>();
        if (json is null) return columns;
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object) return columns;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Walk(document.RootElement, prefix.TrimEnd('.'), columns, seen);
        return columns;
    }

    private static void Walk(JsonElement element, string path, List<(ColumnSpec, object?)> columns, HashSet<string> seen)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject()) Walk(property.Value, path + "." + property.Name, columns, seen);
            return;
        }
        if (!seen.Add(path)) return;
        columns.Add(element.ValueKind switch
        {
            JsonValueKind.String => (new ColumnSpec(path, ColumnKind.Varchar), element.GetString()),
            JsonValueKind.True or JsonValueKind.False => (new ColumnSpec(path, ColumnKind.Boolean), element.GetBoolean()),
            JsonValueKind.Number when element.TryGetInt64(out var whole) => (new ColumnSpec(path, ColumnKind.BigInt), whole),
            JsonValueKind.Number => (new ColumnSpec(path, ColumnKind.Double), element.GetDouble()),
            JsonValueKind.Null => (new ColumnSpec(path, ColumnKind.Varchar), null),
            _ => (new ColumnSpec(path, ColumnKind.Varchar), element.GetRawText()),
        });
    }
}
