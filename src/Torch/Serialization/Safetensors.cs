using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Serialization;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON naming each tensor's dtype, shape and byte range, then the raw little-endian
/// row-major bytes. Readable by Python's safetensors and by anything that parses the header.
/// </summary>
public static class Safetensors
{
    /// <summary>Larger headers are refused as corrupt (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Writes the tensors (copied to the host; any device or layout) with optional string metadata.
    /// Writes a temporary file next to <paramref name="path"/> and renames it, so a crash never leaves a half-written file.
    /// </summary>
    public static unsafe void Save(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors are little-endian; this machine is not");
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var entries = new List<SafetensorsEntry>(names.Length);
        long offset = 0;
        foreach (var name in names)
        {
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved by the safetensors format and cannot name a tensor");
            var t = tensors[name] ?? throw new ArgumentException($"tensor '{name}' is null");
            var dtype = t.dtype;
            var code = SafetensorsDType.Code(dtype) ?? throw new ArgumentException($"tensor '{name}' has dtype {DTypeName(dtype)}, which safetensors cannot store here");
            long bytes = t.numel() * ElementSize(dtype);
            entries.Add(new SafetensorsEntry(name, dtype, t.shape, offset, offset + bytes));
            offset += bytes;
        }
        var header = SafetensorsHeader.Encode(entries, metadata);

        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                file.Write(length);
                file.Write(header);
                foreach (var e in entries)
                {
                    long n = e.end - e.begin;
                    if (n == 0) continue;
                    var buffer = (byte*)NativeMemory.Alloc((nuint)n);
                    try
                    {
                        var t = tensors[e.name];
                        NativeMethods.arch_tensor_to_data(t.Handle, buffer, n);
                        GC.KeepAlive(t);
                        NativeMethods.Check();
                        for (long done = 0; done < n;)
                        {
                            int chunk = (int)Math.Min(n - done, 1 << 30);
                            file.Write(new ReadOnlySpan<byte>(buffer + done, chunk));
                            done += chunk;
                        }
                    }
                    finally { NativeMemory.Free(buffer); }
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Reads every tensor onto <paramref name="device"/> (the host when omitted). The caller owns them.</summary>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null) => Load(path, out _, device);

    /// <summary>Reads every tensor and the header's string metadata.</summary>
    public static unsafe Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata, Device? device = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var header = ReadHeader(file, path);
        metadata = header.metadata;
        var dev = device ?? CPU;
        var result = new Dictionary<string, Tensor>(header.entries.Count);
        try
        {
            foreach (var e in header.entries)
            {
                long n = e.end - e.begin;
                var buffer = (byte*)NativeMemory.Alloc((nuint)Math.Max(n, 1));
                try
                {
                    long at = header.dataStart + e.begin;
                    for (long done = 0; done < n;)
                    {
                        int chunk = (int)Math.Min(n - done, 1 << 30);
                        int got = RandomAccess.Read(file.SafeFileHandle, new Span<byte>(buffer + done, chunk), at + done);
                        if (got <= 0) throw new InvalidDataException($"{path}: file ended inside tensor '{e.name}' (it changed while being read?)");
                        done += got;
                    }
                    if (e.dtype == ScalarType.Bool)
                        for (long i = 0; i < n; i++)
                            if (buffer[i] > 1) throw new InvalidDataException($"{path}: tensor '{e.name}' is BOOL but byte {i} holds {buffer[i]}, not 0 or 1");
                    IntPtr h;
                    fixed (long* dims = e.shape)
                        h = NativeMethods.arch_tensor_from_data(buffer, dims, e.shape.Length, (int)e.dtype, (int)dev.type, dev.index, 0);
                    result[e.name] = new Tensor(h);
                }
                finally { NativeMemory.Free(buffer); }
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>The header alone: names, dtypes, shapes, byte ranges and metadata, fully validated against the file's size.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return ReadHeader(file, path);
    }

    static SafetensorsHeader ReadHeader(FileStream file, string path)
    {
        long size = file.Length;
        if (size < 8) throw new InvalidDataException($"{path}: the file is {size} bytes, too short to hold the 8-byte header length (truncated?)");
        Span<byte> length = stackalloc byte[8];
        ReadExactly(file, length, 0, path);
        ulong n = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(length);
        if (n > (ulong)(size - 8))
            throw new InvalidDataException($"{path}: the header length says {n} bytes but only {size - 8} follow (truncated file, or not safetensors)");
        if (n > MaxHeaderBytes) throw new InvalidDataException($"{path}: the header length {n} exceeds the {MaxHeaderBytes}-byte limit");
        var json = new byte[n];
        ReadExactly(file, json, 8, path);
        return SafetensorsHeader.Parse(json, 8 + (long)n, size - 8 - (long)n, path);
    }

    static void ReadExactly(FileStream file, Span<byte> into, long at, string path)
    {
        for (int done = 0; done < into.Length;)
        {
            int got = RandomAccess.Read(file.SafeFileHandle, into[done..], at + done);
            if (got <= 0) throw new InvalidDataException($"{path}: unexpected end of file");
            done += got;
        }
    }
}

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
