using System.Runtime.InteropServices;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Serialization;

/// <summary>Tensors from raw bytes and back, for bit-exact comparisons in every dtype.</summary>
internal static class SafetensorsBits
{
    internal static readonly ScalarType[] AllDTypes =
        { float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, @bool };

    /// <summary>The tensor's elements as little-endian bytes, row-major.</summary>
    internal static byte[] Bits(Tensor t) => t.dtype switch
    {
        ScalarType.Float64 => Bytes(t.data<double>()),
        ScalarType.Float32 => Bytes(t.data<float>()),
        ScalarType.Float16 or ScalarType.BFloat16 => Bytes(t.data<ushort>()),
        ScalarType.Int64 => Bytes(t.data<long>()),
        ScalarType.Int32 => Bytes(t.data<int>()),
        ScalarType.Int16 => Bytes(t.data<short>()),
        ScalarType.Int8 => Bytes(t.data<sbyte>()),
        ScalarType.Byte or ScalarType.Bool => t.data<byte>(),
        var d => throw new NotSupportedException(DTypeName(d)),
    };

    static byte[] Bytes<T>(T[] a) where T : unmanaged => MemoryMarshal.AsBytes(a.AsSpan()).ToArray();

    /// <summary>A tensor holding exactly these bytes (NaN payloads, negative zeros and all).</summary>
    internal static unsafe Tensor FromBits(ScalarType dtype, long[] shape, byte[] raw)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        Assert.Equal(n * ElementSize(dtype), raw.Length);
        fixed (byte* p = raw) return FromData(p, n, dtype, shape, null, null, false);
    }

    /// <summary>Random bytes in <paramref name="dtype"/> (0 or 1 for bool, the only valid bool bytes).</summary>
    internal static Tensor RandomBits(ScalarType dtype, long[] shape, int seed)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var raw = new byte[n * ElementSize(dtype)];
        new Random(seed).NextBytes(raw);
        if (dtype == ScalarType.Bool) for (int i = 0; i < raw.Length; i++) raw[i] &= 1;
        return FromBits(dtype, shape, raw);
    }
}
