using System.Runtime.InteropServices;
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
                        using (var h = t.Use()) NativeMethods.arch_tensor_to_data(h.Handle, buffer, n);
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
