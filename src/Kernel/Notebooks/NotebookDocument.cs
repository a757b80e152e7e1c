using System.Text.Json;
using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>
/// A notebook in nbformat 4 terms, kept as its JSON so fields we do not know survive a run.
/// .ipynb files load as they are; .dib files are converted (<see cref="DibFormat"/>).
/// </summary>
public sealed class NotebookDocument
{
    public JsonObject Json { get; }

    public NotebookDocument(JsonObject json)
    {
        Json = json;
        json["nbformat"] ??= 4;
        json["nbformat_minor"] ??= 5;
        json["metadata"] ??= new JsonObject();
        json["cells"] ??= new JsonArray();
    }

    public JsonObject Metadata => Json["metadata"]!.AsObject();
    public JsonArray CellsJson => Json["cells"]!.AsArray();
    public IReadOnlyList<NotebookCell> Cells => CellsJson.OfType<JsonObject>().Select(c => new NotebookCell(c)).ToList();

    public static NotebookDocument Load(string path)
    {
        var text = File.ReadAllText(path);
        if (Path.GetExtension(path).Equals(".dib", StringComparison.OrdinalIgnoreCase)) return DibFormat.Parse(text);
        var json = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
        NotebookShape.Check(json, path);
        if (json["nbformat"] is JsonValue major && (!major.TryGetValue<int>(out var version) || version != 4))
            throw new InvalidDataException($"{path}: nbformat {major.ToJsonString()} is not supported (only 4)");
        return new NotebookDocument(json);
    }

    /// <summary>
    /// Writes the notebook (indented, as nbformat does) to a temporary file streamed straight from the JSON,
    /// then moves it over <paramref name="path"/>. No whole-document string is built, and a string past the
    /// serializer's limit is cut with a note (<see cref="OutputLimits"/>), so a run with huge outputs still saves.
    /// </summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                OutputLimits.Write(writer, Json);
            file.WriteByte((byte)'\n');
        }
        File.Move(temp, path, overwrite: true);
    }

    public static NotebookCell NewCell(string cellType, string source, params string[] tags)
    {
        var cell = new JsonObject
        {
            ["cell_type"] = cellType,
            ["id"] = Guid.NewGuid().ToString("N")[..12],
            ["metadata"] = tags.Length == 0 ? new JsonObject() : new JsonObject { ["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray()) },
            ["source"] = NotebookCell.SourceLines(source),
        };
        if (cellType == "code") { cell["outputs"] = new JsonArray(); cell["execution_count"] = null; }
        return new NotebookCell(cell);
    }
}

/// <summary>One cell: type, source (stored as a list of lines), tags, outputs.</summary>
public sealed class NotebookCell(JsonObject json)
{
    public JsonObject Json { get; } = json;
    public string CellType => (string?)Json["cell_type"] ?? "code";
    public bool IsCode => CellType == "code";

    public string Source => Json["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };

    public IReadOnlyList<string> Tags =>
        (Json["metadata"] as JsonObject)?["tags"] is JsonArray tags ? tags.Select(t => (string?)t ?? "").ToList() : [];

    public JsonArray Outputs => (Json["outputs"] ??= new JsonArray()).AsArray();

    public int? ExecutionCount
    {
        get => (int?)Json["execution_count"];
        set => Json["execution_count"] = value;
    }

    internal static JsonArray SourceLines(string source)
    {
        var lines = new JsonArray();
        int start = 0;
        for (int i = 0; i < source.Length; i++)
            if (source[i] == '\n') { lines.Add(source[start..(i + 1)]); start = i + 1; }
        if (start < source.Length) lines.Add(source[start..]);
        return lines;
    }
}
