using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    static readonly Op zerosOp = new("zeros"), onesOp = new("ones"), emptyOp = new("empty", "memory_format"), fullOp = new("full");
    static readonly Op randOp = new("rand"), randnOp = new("randn"), randintOp = new("randint", "low"), randpermOp = new("randperm");
    static readonly Op arangeOp = new("arange", "start_step"), linspaceOp = new("linspace"), eyeOp = new("eye", "m");
    static readonly Op zerosLikeOp = new("zeros_like"), onesLikeOp = new("ones_like"), randnLikeOp = new("randn_like"), randLikeOp = new("rand_like");
    static readonly Op fullLikeOp = new("full_like"), emptyLikeOp = new("empty_like"), scalarTensorOp = new("scalar_tensor");
    static readonly Op bernoulliP = new("bernoulli", "p"), multinomialOp = new("multinomial"), normalOp = new("normal_"), uniformOp = new("uniform_");

    static Tensor Factory(Op op, long[] size, ScalarType? dtype, Device? device, bool requires_grad)
    {
        foreach (var s in size)
            if (s < 0) throw new ArgumentException($"negative dimension {s} in size [{string.Join(", ", size)}]");
        var t = op.Call(size, Arg.Kw("dtype", dtype), Arg.Kw("device", device));
        return requires_grad ? t.requires_grad_() : t;
    }

    public static Tensor zeros(params long[] size) => Factory(zerosOp, size, null, null, false);
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Factory(zerosOp, size, dtype, device, requires_grad);
    public static Tensor ones(params long[] size) => Factory(onesOp, size, null, null, false);
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Factory(onesOp, size, dtype, device, requires_grad);
    public static Tensor empty(params long[] size) => Factory(emptyOp, size, null, null, false);
    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Factory(emptyOp, size, dtype, device, requires_grad);
    /// <summary>Uniform on [0, 1).</summary>
    public static Tensor rand(params long[] size) => Factory(randOp, size, null, null, false);
    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Factory(randOp, size, dtype, device, requires_grad);
    /// <summary>Standard normal.</summary>
    public static Tensor randn(params long[] size) => Factory(randnOp, size, null, null, false);
    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Factory(randnOp, size, dtype, device, requires_grad);

    public static Tensor full(long[] size, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var t = fullOp.Call(size, value, Arg.Kw("dtype", dtype ?? ScalarType.Float32), Arg.Kw("device", device));
        return requires_grad ? t.requires_grad_() : t;
    }

    /// <summary>Integers uniform on [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null)
    {
        if (high <= low) throw new ArgumentException($"randint needs low < high, got low={low}, high={high}");
        return randintOp.Call(low, high, size, Arg.Kw("dtype", dtype ?? ScalarType.Int64), Arg.Kw("device", device));
    }

    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null) => randint(0, high, size, dtype, device);

    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null) =>
        randpermOp.Call(n, Arg.Kw("dtype", dtype ?? ScalarType.Int64), Arg.Kw("device", device));

    /// <summary>Values from start to end (exclusive) by step; integer dtype when all three are integers.</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        if (step == 0) throw new ArgumentException("arange step must be nonzero");
        bool integral = start == Math.Floor(start) && end == Math.Floor(end) && step == Math.Floor(step);
        var t = integral
            ? arangeOp.Call((long)start, (long)end, (long)step, Arg.Kw("dtype", dtype), Arg.Kw("device", device))
            : arangeOp.Call(start, end, step, Arg.Kw("dtype", dtype), Arg.Kw("device", device));
        return requires_grad ? t.requires_grad_() : t;
    }

    public static Tensor arange(long end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null) =>
        linspaceOp.Call(start, end, steps, Arg.Kw("dtype", dtype), Arg.Kw("device", device));

    public static Tensor eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null) =>
        eyeOp.Call(n, m ?? n, Arg.Kw("dtype", dtype), Arg.Kw("device", device));

    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null) => zerosLikeOp.Call(t, Arg.Kw("dtype", dtype));
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null) => onesLikeOp.Call(t, Arg.Kw("dtype", dtype));
    public static Tensor empty_like(Tensor t, ScalarType? dtype = null) => emptyLikeOp.Call(t, Arg.Kw("dtype", dtype));
    public static Tensor full_like(Tensor t, double value, ScalarType? dtype = null) => fullLikeOp.Call(t, value, Arg.Kw("dtype", dtype));
    public static Tensor randn_like(Tensor t) => randnLikeOp.Call(t);
    public static Tensor rand_like(Tensor t) => randLikeOp.Call(t);
    public static Tensor bernoulli(Tensor input, double p) => bernoulliP.Call(input, p);
    public static Tensor multinomial(Tensor probs, long num_samples, bool replacement = false) => multinomialOp.Call(probs, num_samples, replacement);

    // ---- from .NET data ----

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (1-D when omitted).</summary>
    public static unsafe Tensor tensor<T>(T[] data, long[]? shape = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        fixed (T* p = data) return FromData(p, data.Length, ElementTypeOf<T>(), shape ?? new long[] { data.Length }, dtype, device, requires_grad);
    }

    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        fixed (T* p = data) return FromData(p, data.Length, ElementTypeOf<T>(), shape, dtype, device, requires_grad);
    }

    public static Tensor tensor(float[,] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => from_array(data, dtype, device, requires_grad);
    public static Tensor tensor(double[,] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => from_array(data, dtype, device, requires_grad);
    public static Tensor tensor(long[,] data, ScalarType? dtype = null, Device? device = null) => from_array(data, dtype, device, false);
    public static Tensor tensor(int[,] data, ScalarType? dtype = null, Device? device = null) => from_array(data, dtype, device, false);
    public static Tensor tensor(float[,,] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => from_array(data, dtype, device, requires_grad);

    /// <summary>A zero-dimensional tensor (float32 unless dtype says otherwise).</summary>
    public static Tensor tensor(double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var t = scalarTensorOp.Call(value, Arg.Kw("dtype", dtype ?? ScalarType.Float32), Arg.Kw("device", device));
        return requires_grad ? t.requires_grad_() : t;
    }

    public static Tensor tensor(long value, ScalarType? dtype = null, Device? device = null) =>
        scalarTensorOp.Call(value, Arg.Kw("dtype", dtype ?? ScalarType.Int64), Arg.Kw("device", device));

    /// <summary>A tensor from a rectangular .NET array of any rank (float, double, long, int, bool, byte...).</summary>
    public static unsafe Tensor from_array(Array array, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        var elementType = array.GetType().GetElementType()!;
        var st = elementType == typeof(float) ? ScalarType.Float32 : elementType == typeof(double) ? ScalarType.Float64
            : elementType == typeof(long) ? ScalarType.Int64 : elementType == typeof(int) ? ScalarType.Int32
            : elementType == typeof(bool) ? ScalarType.Bool : elementType == typeof(byte) ? ScalarType.Byte
            : elementType == typeof(short) ? ScalarType.Int16 : elementType == typeof(sbyte) ? ScalarType.Int8
            : throw new ArgumentException($"arrays of {elementType.Name} cannot become tensors");
        var shape = new long[array.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = array.GetLength(i);
        ref byte first = ref MemoryMarshal.GetArrayDataReference(array);
        fixed (byte* p = &first) return FromData(p, array.Length, st, shape, dtype, device, requires_grad);
    }

    internal static unsafe Tensor FromData(void* data, long count, ScalarType st, long[] shape, ScalarType? dtype, Device? device, bool requires_grad)
    {
        long n = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative dimension {s} in shape [{string.Join(", ", shape)}]");
            n *= s;
        }
        if (n != count) throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {n} elements but {count} were given");
        var dev = device ?? CPU;
        bool convert = dtype is not null && dtype != st;
        IntPtr h;
        fixed (long* dims = shape)
            h = NativeMethods.arch_tensor_from_data(data, dims, shape.Length, (int)st, (int)dev.type, dev.index, requires_grad && !convert ? 1 : 0);
        var t = new Tensor(h);
        if (!convert) return t;
        using (t)
        {
            var c = t.to(dtype!.Value);
            return requires_grad ? c.requires_grad_() : c;
        }
    }
}
