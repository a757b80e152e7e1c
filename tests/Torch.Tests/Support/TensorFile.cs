using System.Text;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>One named record of a tensor file: a note (e.g. an error message) and a list of tensors (null = None).</summary>
internal sealed record TensorRecord(string Name, string Note, Tensor?[] Tensors);

/// <summary>
/// The little binary format shared with reference/parity.py: "ATF1", int32 record count, then per record
/// name, note (int32 length + UTF-8) and int32 tensor count; per tensor int32 dtype (c10 code, -1 = None),
/// int32 flags (1 = requires_grad), int32 ndim, int64 sizes, raw little-endian row-major data.
/// </summary>
internal static class TensorFile
{
    const string Magic = "ATF1";

    internal static void Write(string path, IEnumerable<TensorRecord> records)
    {
        var list = records.ToList();
        using var w = new BinaryWriter(File.Create(path));
        w.Write(Encoding.ASCII.GetBytes(Magic));
        w.Write(list.Count);
        foreach (var r in list)
        {
            WriteString(w, r.Name);
            WriteString(w, r.Note);
            w.Write(r.Tensors.Length);
            foreach (var t in r.Tensors) WriteTensor(w, t);
        }
    }

    internal static List<TensorRecord> Read(string path)
    {
        using var rd = new BinaryReader(File.OpenRead(path));
        var magic = Encoding.ASCII.GetString(rd.ReadBytes(4));
        if (magic != Magic) throw new InvalidDataException($"{path} is not a tensor file (magic '{magic}')");
        int n = rd.ReadInt32();
        var records = new List<TensorRecord>(n);
        for (int i = 0; i < n; i++)
        {
            var name = ReadString(rd);
            var note = ReadString(rd);
            var tensors = new Tensor?[rd.ReadInt32()];
            for (int k = 0; k < tensors.Length; k++) tensors[k] = ReadTensor(rd);
            records.Add(new TensorRecord(name, note, tensors));
        }
        return records;
    }

    static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write(b.Length);
        w.Write(b);
    }

    static string ReadString(BinaryReader r) => Encoding.UTF8.GetString(r.ReadBytes(r.ReadInt32()));

    static void WriteTensor(BinaryWriter w, Tensor? t)
    {
        if (t is null) { w.Write(-1); w.Write(0); w.Write(0); return; }
        var dt = t.dtype;
        w.Write((int)dt);
        w.Write(t.requires_grad ? 1 : 0);
        var shape = t.shape;
        w.Write(shape.Length);
        foreach (var s in shape) w.Write(s);
        using var c = t.detach().cpu().contiguous();
        w.Write(Bytes(c, dt));
    }

    static byte[] Bytes(Tensor c, ScalarType dt) => dt switch
    {
        ScalarType.Float32 => Raw(c.data<float>()),
        ScalarType.Float64 => Raw(c.data<double>()),
        ScalarType.Int64 => Raw(c.data<long>()),
        ScalarType.Int32 => Raw(c.data<int>()),
        ScalarType.Bool or ScalarType.Byte => c.data<byte>(),
        // Complex elements are (real, imaginary) pairs, as libtorch and numpy store them.
        ScalarType.ComplexFloat32 => Raw(c.view_as_real().data<float>()),
        ScalarType.ComplexFloat64 => Raw(c.view_as_real().data<double>()),
        _ => throw new NotSupportedException($"tensor files do not carry {DTypeName(dt)}"),
    };

    static byte[] Raw<T>(T[] a) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).ToArray();

    static Tensor? ReadTensor(BinaryReader r)
    {
        int code = r.ReadInt32();
        int flags = r.ReadInt32();
        int ndim = r.ReadInt32();
        if (code < 0) return null;
        var shape = new long[ndim];
        long n = 1;
        for (int i = 0; i < ndim; i++) { shape[i] = r.ReadInt64(); n *= shape[i]; }
        var dt = (ScalarType)code;
        var bytes = r.ReadBytes(checked((int)(n * ElementSize(dt))));
        var t = dt switch
        {
            ScalarType.Float32 => tensor(Cast<float>(bytes), shape),
            ScalarType.Float64 => tensor(Cast<double>(bytes), shape),
            ScalarType.Int64 => tensor(Cast<long>(bytes), shape),
            ScalarType.Int32 => tensor(Cast<int>(bytes), shape),
            ScalarType.Bool => tensor(bytes.Select(b => b != 0).ToArray(), shape),
            ScalarType.Byte => tensor(bytes, shape),
            ScalarType.ComplexFloat32 => Complex(tensor(Cast<float>(bytes), [.. shape, 2])),
            ScalarType.ComplexFloat64 => Complex(tensor(Cast<double>(bytes), [.. shape, 2])),
            _ => throw new NotSupportedException($"tensor files do not carry dtype code {code}"),
        };
        return (flags & 1) != 0 ? t.requires_grad_() : t;
    }

    static Tensor Complex(Tensor pairs)
    {
        using (pairs) return pairs.view_as_complex().clone();
    }

    static int ElementSize(ScalarType dt) => dt switch
    {
        ScalarType.ComplexFloat64 => 16,
        ScalarType.Float64 or ScalarType.Int64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        _ => 1,
    };

    static T[] Cast<T>(byte[] b) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(b).ToArray();
}
