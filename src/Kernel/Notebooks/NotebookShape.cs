using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>
/// The JSON types of the nbformat 4 fields the runner and the report read, checked when a notebook is
/// loaded: a field of the wrong type (a number where a list of strings belongs) is reported by cell and
/// field before anything runs, instead of throwing from the middle of a long run or from the report after it.
/// </summary>
internal static class NotebookShape
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the first field of the wrong type.</summary>
    public static void Check(JsonObject notebook, string path)
    {
        if (notebook["nbformat"] is { } major && major.GetValueKind() != JsonValueKind.Number)
            throw new InvalidDataException($"{path}: nbformat is {Describe(major)}, expected the number 4");
        if (notebook["metadata"] is { } metadata && metadata is not JsonObject)
            throw new InvalidDataException($"{path}: metadata is {Describe(metadata)}, expected an object");
        if (notebook["cells"] is not { } cells) return;
        if (cells is not JsonArray list) throw new InvalidDataException($"{path}: cells is {Describe(cells)}, expected a list");
        for (int i = 0; i < list.Count; i++)
        {
            var where = $"{path}: cell {i + 1}";
            if (list[i] is not JsonObject cell) throw new InvalidDataException($"{where} is {Describe(list[i])}, expected an object");
            if (cell["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String) where += $" (id {id})";
            Expect(cell, "cell_type", where, JsonValueKind.String);
            ExpectText(cell, "source", where);
            if (Expect(cell, "metadata", where, JsonValueKind.Object) is JsonObject meta && meta["tags"] is { } tags)
                ExpectStrings(tags, $"{where}: metadata.tags");
            if (cell["execution_count"] is JsonValue count && !(count.GetValueKind() == JsonValueKind.Number && count.TryGetValue<int>(out _)))
                throw new InvalidDataException($"{where}: execution_count is {Describe(count)}, expected a whole number or null");
            if (cell["execution_count"] is JsonObject or JsonArray)
                throw new InvalidDataException($"{where}: execution_count is {Describe(cell["execution_count"])}, expected a whole number or null");
            if (Expect(cell, "outputs", where, JsonValueKind.Array) is JsonArray outputs)
                for (int j = 0; j < outputs.Count; j++) CheckOutput(outputs[j], $"{where}: output {j + 1}");
        }
    }

    private static void CheckOutput(JsonNode? node, string where)
    {
        if (node is not JsonObject output) throw new InvalidDataException($"{where} is {Describe(node)}, expected an object");
        Expect(output, "output_type", where, JsonValueKind.String);
        Expect(output, "name", where, JsonValueKind.String);
        Expect(output, "ename", where, JsonValueKind.String);
        Expect(output, "evalue", where, JsonValueKind.String);
        ExpectText(output, "text", where);
        if (output["traceback"] is { } traceback) ExpectStrings(traceback, $"{where}: traceback");
        if (Expect(output, "data", where, JsonValueKind.Object) is JsonObject data)
            foreach (var (mime, value) in data)
                // JSON mime types (plotly, widget state) hold any JSON; text and images are a string or a list of strings.
                if (!mime.EndsWith("json", StringComparison.Ordinal)) ExpectText(data, mime, $"{where}: data");
    }

    /// <summary>The field's value when it has <paramref name="kind"/>; null when absent; throws for any other type.</summary>
    private static JsonNode? Expect(JsonObject owner, string field, string where, JsonValueKind kind)
    {
        var value = owner[field];
        if (value is null || value.GetValueKind() == kind) return value;
        throw new InvalidDataException($"{where}: {field} is {Describe(value)}, expected {Article(kind)}");
    }

    /// <summary>nbformat's multiline string: one string, or a list of strings.</summary>
    private static void ExpectText(JsonObject owner, string field, string where)
    {
        var value = owner[field];
        if (value is null || value.GetValueKind() == JsonValueKind.String) return;
        if (value is JsonArray) { ExpectStrings(value, $"{where}: {field}"); return; }
        throw new InvalidDataException($"{where}: {field} is {Describe(value)}, expected a string or a list of strings");
    }

    private static void ExpectStrings(JsonNode list, string where)
    {
        if (list is not JsonArray items) throw new InvalidDataException($"{where} is {Describe(list)}, expected a list of strings");
        for (int i = 0; i < items.Count; i++)
            if (items[i]?.GetValueKind() != JsonValueKind.String)
                throw new InvalidDataException($"{where}[{i}] is {Describe(items[i])}, expected a string");
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind() switch
    {
        JsonValueKind.String => $"the string {Shorten(node.ToJsonString())}",
        JsonValueKind.Number => $"the number {Shorten(node.ToJsonString())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {node.ToJsonString()}",
        var kind => Article(kind),
    };

    private static string Shorten(string json) => json.Length <= 40 ? json : json[..37] + "...";

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
