using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Serialization;

/// <summary>One tensor's header record: its byte range is relative to the start of the data section.</summary>
public sealed record SafetensorsEntry(string name, torch.ScalarType dtype, long[] shape, long begin, long end);

/// <summary>The safetensors element type codes this binding stores.</summary>
internal static class SafetensorsDType
{
    static readonly (string code, ScalarType type)[] table =
    {
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    };

    // Valid in the format but with no libtorch 1.13 tensor type to load them into.
    static readonly string[] unsupported = { "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "C64" };

    internal static string? Code(ScalarType t) => table.Where(e => e.type == t).Select(e => e.code).FirstOrDefault();

    internal static ScalarType Parse(string code, string tensor)
    {
        foreach (var (c, t) in table) if (c == code) return t;
        if (unsupported.Contains(code)) throw new InvalidDataException($"tensor '{tensor}' has dtype {code}, which libtorch here cannot hold");
        throw new InvalidDataException($"tensor '{tensor}' has unknown dtype '{code}' (expected one of {string.Join(", ", table.Select(e => e.code))})");
    }
}

/// <summary>A parsed and validated safetensors header.</summary>
public sealed class SafetensorsHeader
{
    /// <summary>Tensors in the order their bytes appear.</summary>
    public IReadOnlyList<SafetensorsEntry> entries { get; }
    public Dictionary<string, string> metadata { get; }
    /// <summary>File offset of the data section.</summary>
    public long dataStart { get; }

    SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, Dictionary<string, string> metadata, long dataStart)
    {
        this.entries = entries; this.metadata = metadata; this.dataStart = dataStart;
    }

    static readonly JsonWriterOptions writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes so the data section starts aligned.</summary>
    internal static byte[] Encode(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, writerOptions))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    w.WriteString(k, v ?? throw new ArgumentException($"metadata value for '{k}' is null"));
                w.WriteEndObject();
            }
            foreach (var e in entries)
            {
                w.WriteStartObject(e.name);
                w.WriteString("dtype", SafetensorsDType.Code(e.dtype));
                w.WriteStartArray("shape");
                foreach (var d in e.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(e.begin);
                w.WriteNumberValue(e.end);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int len = (int)stream.Length, padded = (len + 7) / 8 * 8;
        var bytes = new byte[padded];
        stream.GetBuffer().AsSpan(0, len).CopyTo(bytes);
        bytes.AsSpan(len).Fill((byte)' ');
        return bytes;
    }

    /// <summary>Parses and checks a header against a data section of <paramref name="dataBytes"/> bytes.</summary>
    internal static SafetensorsHeader Parse(byte[] json, long dataStart, long dataBytes, string path)
    {
        string Where(string what) => $"{path}: {what}";
        JsonDocument doc;
        try
        {
            // Strict UTF-8 first: JsonDocument would otherwise accept what Python's reader rejects.
            new UTF8Encoding(false, true).GetCharCount(json);
            doc = JsonDocument.Parse(json);
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new InvalidDataException(Where($"the header is not valid UTF-8 JSON ({e.Message})"), e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException(Where($"the header is a JSON {root.ValueKind}, not an object"));
            var metadata = new Dictionary<string, string>();
            var entries = new List<SafetensorsEntry>();
            var names = new HashSet<string>();
            foreach (var prop in root.EnumerateObject())
            {
                if (!names.Add(prop.Name)) throw new InvalidDataException(Where($"the header names '{prop.Name}' twice"));
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException(Where("__metadata__ must be an object of strings"));
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException(Where($"__metadata__ value '{m.Name}' is a {m.Value.ValueKind}, but safetensors metadata values must be strings"));
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(prop.Name, prop.Value, dataBytes, Where));
            }
            CheckTiling(entries, dataBytes, Where);
            return new SafetensorsHeader(entries, metadata, dataStart);
        }
    }

    static SafetensorsEntry ParseEntry(string name, JsonElement e, long dataBytes, Func<string, string> where)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException(where($"tensor '{name}' is described by a JSON {e.ValueKind}, not an object"));
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new InvalidDataException(where($"tensor '{name}' has no dtype string"));
        ScalarType dtype;
        try { dtype = SafetensorsDType.Parse(dt.GetString()!, name); }
        catch (InvalidDataException x) { throw new InvalidDataException(where(x.Message)); }
        var shape = Integers(e, "shape", name, where);
        var offsets = Integers(e, "data_offsets", name, where);
        if (offsets.Length != 2) throw new InvalidDataException(where($"tensor '{name}' data_offsets must be [begin, end], got {offsets.Length} numbers"));
        long begin = offsets[0], end = offsets[1];
        if (end < begin) throw new InvalidDataException(where($"tensor '{name}' data_offsets [{begin}, {end}] end before they begin"));
        if (end > dataBytes) throw new InvalidDataException(where($"tensor '{name}' data_offsets [{begin}, {end}] run past the {dataBytes}-byte data section (truncated file?)"));
        long count = 1;
        try { foreach (var d in shape) count = checked(count * d); count = checked(count * ElementSize(dtype)); }
        catch (OverflowException) { throw new InvalidDataException(where($"tensor '{name}' shape [{string.Join(", ", shape)}] is impossibly large")); }
        if (count != end - begin)
            throw new InvalidDataException(where($"tensor '{name}' has shape [{string.Join(", ", shape)}] of {DTypeName(dtype)}, which needs {count} bytes, but data_offsets span {end - begin}"));
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    static long[] Integers(JsonElement e, string field, string name, Func<string, string> where)
    {
        if (!e.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException(where($"tensor '{name}' has no {field} array"));
        var r = new long[a.GetArrayLength()];
        int i = 0;
        foreach (var x in a.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out var v) || v < 0)
                throw new InvalidDataException(where($"tensor '{name}' {field} holds {x.GetRawText()}, not a non-negative integer"));
            r[i++] = v;
        }
        return r;
    }

    /// <summary>As the reference implementation requires: byte ranges in order, no overlaps, no holes, nothing left over.</summary>
    static void CheckTiling(List<SafetensorsEntry> entries, long dataBytes, Func<string, string> where)
    {
        entries.Sort((a, b) => a.begin != b.begin ? a.begin.CompareTo(b.begin) : a.end.CompareTo(b.end));
        long expected = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.begin < expected)
                throw new InvalidDataException(where($"tensor '{e.name}' bytes [{e.begin}, {e.end}) overlap tensor '{previous!.name}' [{previous.begin}, {previous.end})"));
            if (e.begin > expected)
                throw new InvalidDataException(where($"tensor '{e.name}' starts at byte {e.begin}, leaving a gap after byte {expected}"));
            expected = e.end;
            previous = e;
        }
        if (expected != dataBytes)
            throw new InvalidDataException(where($"the tensors cover {expected} bytes but the data section holds {dataBytes} (trailing bytes, or a missing tensor)"));
    }
}
