using System.Runtime.InteropServices;
using System.Text;

namespace ArchNotebooks.Torch.Interop;

/// <summary>One argument of a boxed operator call: a tensor, number, list, string, device or None, optionally named.</summary>
public readonly struct Arg
{
    internal readonly ArgKind Kind;
    internal readonly long I;
    internal readonly double D;
    internal readonly object? Obj;
    /// <summary>Keyword name, or null for a positional argument.</summary>
    public readonly string? Name;

    internal Arg(ArgKind kind, long i = 0, double d = 0, object? obj = null, string? name = null)
    {
        Kind = kind; I = i; D = d; Obj = obj; Name = name;
    }

    /// <summary>None (an omitted optional).</summary>
    public static readonly Arg None = new(ArgKind.None);

    /// <summary>This value passed as keyword argument <paramref name="name"/>.</summary>
    public Arg As(string name) => new(Kind, I, D, Obj, name);

    public static Arg Kw(string name, Arg value) => value.As(name);

    public static implicit operator Arg(torch.Tensor? t) => t is null ? None : new(ArgKind.Tensor, obj: t);
    public static implicit operator Arg(long v) => new(ArgKind.Int, i: v);
    public static implicit operator Arg(int v) => new(ArgKind.Int, i: v);
    public static implicit operator Arg(double v) => new(ArgKind.Double, d: v);
    public static implicit operator Arg(float v) => new(ArgKind.Double, d: v);
    public static implicit operator Arg(bool v) => new(ArgKind.Bool, i: v ? 1 : 0);
    public static implicit operator Arg(long[]? v) => v is null ? None : new(ArgKind.IntList, obj: v);
    public static implicit operator Arg(double[]? v) => v is null ? None : new(ArgKind.DoubleList, obj: v);
    public static implicit operator Arg(bool[]? v) => v is null ? None : new(ArgKind.BoolList, obj: v);
    public static implicit operator Arg(torch.Tensor?[]? v) => v is null ? None : new(ArgKind.TensorList, obj: v);
    public static implicit operator Arg(string? v) => v is null ? None : new(ArgKind.String, obj: v);
    public static implicit operator Arg(torch.Device v) => new(ArgKind.Device, i: (long)v.type, d: v.index);
    public static implicit operator Arg(torch.Device? v) => v is null ? None : (Arg)v.Value;
    public static implicit operator Arg(torch.ScalarType v) => new(ArgKind.Int, i: (long)v);
    public static implicit operator Arg(torch.ScalarType? v) => v is null ? None : new(ArgKind.Int, i: (long)v.Value);
    public static implicit operator Arg(long? v) => v is null ? None : new(ArgKind.Int, i: v.Value);
    public static implicit operator Arg(double? v) => v is null ? None : new(ArgKind.Double, d: v.Value);
    public static implicit operator Arg(bool? v) => v is null ? None : new(ArgKind.Bool, i: v.Value ? 1 : 0);

    /// <summary>Converts a loosely typed .NET value (as used by dynamic calls) to an argument.</summary>
    public static Arg From(object? value) => value switch
    {
        null => None,
        Arg a => a,
        torch.Tensor t => t,
        int v => v,
        long v => v,
        short v => (long)v,
        byte v => (long)v,
        float v => v,
        double v => v,
        bool v => v,
        string v => v,
        torch.Device v => v,
        torch.ScalarType v => v,
        long[] v => v,
        int[] v => Array.ConvertAll(v, x => (long)x),
        double[] v => v,
        float[] v => Array.ConvertAll(v, x => (double)x),
        bool[] v => v,
        torch.Tensor?[] v => v,
        IEnumerable<torch.Tensor> v => v.ToArray(),
        _ => throw new ArgumentException($"cannot pass a value of type {value.GetType().Name} to an operator"),
    };
}

/// <summary>Lays out managed arguments as native ArchArg structs, using a stack scratch area (heap if it overflows).</summary>
internal unsafe struct ArgPacker
{
    byte* scratch;
    int left;
    List<IntPtr>? heap;

    internal ArgPacker(byte* scratch, int size) { this.scratch = scratch; left = size; heap = null; }

    byte* Alloc(int bytes)
    {
        bytes = (bytes + 7) & ~7;
        if (bytes <= left)
        {
            var p = scratch; scratch += bytes; left -= bytes; return p;
        }
        var h = Marshal.AllocHGlobal(bytes);
        (heap ??= new()).Add(h);
        return (byte*)h;
    }

    internal void Free()
    {
        if (heap != null) foreach (var h in heap) Marshal.FreeHGlobal(h);
    }

    byte* Utf8(string s, out int len)
    {
        // Keyword names are short ASCII identifiers: copy them without the encoder.
        if (s.Length < 64)
        {
            bool ascii = true;
            foreach (var c in s) ascii &= c < 128;
            if (ascii)
            {
                len = s.Length;
                var q = Alloc(len + 1);
                for (int i = 0; i < len; i++) q[i] = (byte)s[i];
                q[len] = 0;
                return q;
            }
        }
        len = Encoding.UTF8.GetByteCount(s);
        var p = Alloc(len + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, len));
        p[len] = 0;
        return p;
    }

    /// <summary>Ends the leases <see cref="Pack"/> took on an argument's tensors.</summary>
    internal static void Release(in Arg a)
    {
        if (a.Kind == ArgKind.Tensor) ((torch.Tensor)a.Obj!).Release();
        else if (a.Kind == ArgKind.TensorList)
            foreach (var t in (torch.Tensor?[])a.Obj!) t?.Release();
    }

    /// <summary>Lays out one argument; a tensor's handle is leased until <see cref="Release"/>.</summary>
    internal ArchArg Pack(in Arg a)
    {
        var r = new ArchArg { Kind = a.Kind, I = a.I, D = a.D };
        if (a.Name != null) r.Name = Utf8(a.Name, out _);
        switch (a.Kind)
        {
            case ArgKind.Tensor:
                r.P = (void*)((torch.Tensor)a.Obj!).Acquire();
                break;
            case ArgKind.IntList:
            {
                var v = (long[])a.Obj!;
                var p = (long*)Alloc(v.Length * 8);
                v.AsSpan().CopyTo(new Span<long>(p, v.Length));
                r.P = p; r.Len = v.Length;
                break;
            }
            case ArgKind.BoolList:
            {
                var v = (bool[])a.Obj!;
                var p = (long*)Alloc(v.Length * 8);
                for (int i = 0; i < v.Length; i++) p[i] = v[i] ? 1 : 0;
                r.P = p; r.Len = v.Length;
                break;
            }
            case ArgKind.DoubleList:
            {
                var v = (double[])a.Obj!;
                var p = (double*)Alloc(v.Length * 8);
                v.AsSpan().CopyTo(new Span<double>(p, v.Length));
                r.P = p; r.Len = v.Length;
                break;
            }
            case ArgKind.TensorList:
            {
                var v = (torch.Tensor?[])a.Obj!;
                var p = (IntPtr*)Alloc(v.Length * sizeof(IntPtr));
                int leased = 0;
                try
                {
                    for (; leased < v.Length; leased++) p[leased] = v[leased]?.Acquire() ?? IntPtr.Zero;
                }
                catch
                {
                    // A disposed element: end the leases already taken on this list before reporting it.
                    for (int i = 0; i < leased; i++) v[i]?.Release();
                    throw;
                }
                r.P = p; r.Len = v.Length;
                break;
            }
            case ArgKind.String:
                r.P = Utf8((string)a.Obj!, out var len);
                r.Len = len;
                break;
        }
        return r;
    }
}

/// <summary>Turns native return slots into managed values, taking ownership of tensor handles.</summary>
internal static unsafe class Returns
{
    internal static object?[] Convert(ArchRet* rets, int n)
    {
        var values = new object?[n];
        for (int i = 0; i < n; i++) values[i] = Convert(ref rets[i]);
        return values;
    }

    static object? Convert(ref ArchRet r)
    {
        switch (r.Kind)
        {
            case ArgKind.Tensor: return new torch.Tensor((IntPtr)r.P);
            case ArgKind.Int: return r.I;
            case ArgKind.Double: return r.D;
            case ArgKind.Bool: return r.I != 0;
            case ArgKind.TensorList:
            {
                var p = (IntPtr*)r.P;
                var list = new torch.Tensor[r.Len];
                for (int i = 0; i < r.Len; i++) list[i] = new torch.Tensor(p[i]);
                NativeMethods.arch_free((IntPtr)r.P);
                return list;
            }
            case ArgKind.IntList:
            {
                var list = new ReadOnlySpan<long>(r.P, r.Len).ToArray();
                NativeMethods.arch_free((IntPtr)r.P);
                return list;
            }
            default: return null;
        }
    }

    internal static void Release(ArchRet* rets, int n)
    {
        for (int i = 0; i < n; i++)
        {
            ref var r = ref rets[i];
            if (r.Kind == ArgKind.Tensor) NativeMethods.arch_tensor_free((IntPtr)r.P);
            else if (r.Kind == ArgKind.TensorList)
            {
                var p = (IntPtr*)r.P;
                for (int k = 0; k < r.Len; k++) NativeMethods.arch_tensor_free(p[k]);
                NativeMethods.arch_free((IntPtr)r.P);
            }
            else if (r.Kind == ArgKind.IntList) NativeMethods.arch_free((IntPtr)r.P);
        }
    }

    internal static string Describe(object?[] values) =>
        values.Length == 0 ? "nothing" : string.Join(", ", values.Select(v => v?.GetType().Name ?? "None"));
}
