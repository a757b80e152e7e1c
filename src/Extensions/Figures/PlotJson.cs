using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArchNotebooks.Extensions.Figures;

/// <summary>How model values become plotly JSON: plain text entity-escaped, non-finite numbers as null (a gap).</summary>
internal static class PlotJson
{
    /// <summary>
    /// The default encoder also writes &lt;, &gt;, &amp; and quotes as \u escapes, so the JSON can sit
    /// inside a &lt;script&gt; element without closing it.
    /// </summary>
    internal static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>plotly.js renders text as an HTML subset and decodes entities: escape so labels show literally.</summary>
    /// Newlines become plotly's &lt;br&gt; line breaks.
    internal static string Text(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\n", "<br>");

    internal static JsonArray Texts(IEnumerable<string> items) => new(items.Select(s => (JsonNode)JsonValue.Create(Text(s))).ToArray());

    internal static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).ToArray<JsonNode?>());
}
