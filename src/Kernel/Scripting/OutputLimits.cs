using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// The most text one output carries. System.Text.Json refuses a string over 166,666,666 characters (a
/// gigabyte at the worst-case six bytes per escaped character), and a refusal thrown while publishing on
/// the console's flush timer ended the kernel, or while saving ended <c>archnb run</c> with nothing written.
/// Text past the limit is cut, and a note at the cut says how much is missing, so no one mistakes it for the whole.
/// </summary>
internal static class OutputLimits
{
    /// <summary>64 Mi characters: far past what a front end shows, far below the serializer's limit.</summary>
    public const int MaxTextChars = 64 * 1024 * 1024;

    /// <summary>The note that ends a cut output.</summary>
    public static string Note(long cutChars) =>
        $"\n[archnb: output truncated: {cutChars:N0} more characters were cut; one output keeps at most {MaxTextChars:N0}]\n";

    /// <summary>How many leading characters of <paramref name="text"/> fit in <paramref name="room"/> without splitting a surrogate pair.</summary>
    public static int Fit(ReadOnlySpan<char> text, int room)
    {
        if (text.Length <= room) return text.Length;
        if (room <= 0) return 0;
        return char.IsHighSurrogate(text[room - 1]) ? room - 1 : room;
    }

    /// <summary><paramref name="text"/>, or its first <see cref="MaxTextChars"/> characters and the note.</summary>
    public static string Truncate(string text)
    {
        if (text.Length <= MaxTextChars) return text;
        int kept = Fit(text, MaxTextChars);
        return string.Concat(text.AsSpan(0, kept), Note(text.Length - kept));
    }

    /// <summary>A copy of <paramref name="node"/> with every string over the limit truncated (strings under it are shared, not copied).</summary>
    public static JsonNode? TruncateStrings(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, TruncateStrings(p.Value)))),
        JsonArray array => new JsonArray(array.Select(TruncateStrings).ToArray()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => JsonValue.Create(Truncate(value.GetValue<string>())),
        _ => node?.DeepClone(),
    };

    /// <summary>Writes <paramref name="node"/> as JSON with every string over the limit truncated, streaming (no whole-document string).</summary>
    public static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null: writer.WriteNullValue(); break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj) { writer.WritePropertyName(key); Write(writer, value); }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array) Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                writer.WriteStringValue(Truncate(value.GetValue<string>()));
                break;
            default: node.WriteTo(writer); break;
        }
        // A writer over a stream buffers everything until flushed: flush as it goes, or the whole document sits in memory once more.
        if (writer.BytesPending > 1 << 20) writer.Flush();
    }
}
