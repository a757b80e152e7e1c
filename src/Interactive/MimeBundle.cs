using System.Text.Json.Nodes;

namespace ArchNotebooks.Interactive;

/// <summary>One displayable value as Jupyter sees it: mime type to representation, plus per-mime metadata.</summary>
/// <remarks>
/// A representation is either a string (text/*, image/svg+xml, base64 for binary images) or a
/// <see cref="JsonNode"/> for JSON mime types (application/json, application/vnd.plotly.v1+json),
/// which travel as JSON objects, never as double-encoded strings.
/// </remarks>
public sealed class MimeBundle
{
    public const string PlainText = "text/plain";
    public const string Html = "text/html";
    public const string Markdown = "text/markdown";
    public const string Svg = "image/svg+xml";
    public const string Png = "image/png";
    public const string Json = "application/json";
    public const string Plotly = "application/vnd.plotly.v1+json";

    public Dictionary<string, object> Data { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, JsonNode?> Metadata { get; } = new(StringComparer.Ordinal);

    public object this[string mimeType]
    {
        get => Data[mimeType];
        set => Data[mimeType] = value is string or JsonNode
            ? value
            : throw new ArgumentException($"a mime representation is a string or a JsonNode, not {value?.GetType().Name ?? "null"}");
    }

    public bool Contains(string mimeType) => Data.ContainsKey(mimeType);

    public static MimeBundle Of(string mimeType, object representation, string? plainText = null)
    {
        var bundle = new MimeBundle { [mimeType] = representation };
        if (plainText is not null) bundle[PlainText] = plainText;
        return bundle;
    }

    public JsonObject DataAsJson()
    {
        var data = new JsonObject();
        foreach (var (mime, value) in Data) data[mime] = value is JsonNode node ? node.DeepClone() : JsonValue.Create((string)value);
        return data;
    }

    public JsonObject MetadataAsJson()
    {
        var metadata = new JsonObject();
        foreach (var (mime, value) in Metadata) metadata[mime] = value?.DeepClone();
        return metadata;
    }
}
