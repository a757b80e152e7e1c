using System.Runtime.InteropServices;
using System.Text;

namespace ArchNotebooks.Torch.Interop;

/// <summary>
/// One ATen operator overload, resolved once through the dispatcher and called boxed.
/// Arguments not passed take the schema's defaults; keyword arguments match by name.
/// </summary>
public sealed unsafe class Op
{
    IntPtr handle;
    readonly string name, overload;

    /// <summary>Qualified name with overload, e.g. "aten::add.Tensor".</summary>
    public string Name { get; }

    /// <summary>Names an operator; it is looked up in the dispatcher on first use, so an
    /// operator missing from this libtorch version fails only when called.</summary>
    public Op(string name, string overload = "")
    {
        this.name = name.Contains("::") ? name : "aten::" + name;
        this.overload = overload;
        Name = overload.Length == 0 ? this.name : this.name + "." + overload;
    }

    IntPtr Handle
    {
        get
        {
            if (handle != IntPtr.Zero) return handle;
            NativeLoader.EnsureResolver();
            IntPtr h;
            fixed (byte* n = Utf8Z(name), o = Utf8Z(overload))
                h = NativeMethods.arch_op_find(n, o);
            if (h == IntPtr.Zero) NativeMethods.Check();
            // A racing thread may resolve too; keep one handle and free the other.
            if (Interlocked.CompareExchange(ref handle, h, IntPtr.Zero) != IntPtr.Zero) NativeMethods.arch_op_free(h);
            return handle;
        }
    }

    /// <summary>Looks up "aten::name" or "aten::name.overload".</summary>
    public static Op Get(string qualified)
    {
        var dot = qualified.IndexOf('.', qualified.IndexOf("::", StringComparison.Ordinal) + 2);
        return dot < 0 ? OpCache.Get(qualified, "") : OpCache.Get(qualified[..dot], qualified[(dot + 1)..]);
    }

    /// <summary>The operator's schema as libtorch prints it.</summary>
    public string Schema => NativeMethods.TakeStringOrThrow(NativeMethods.arch_op_schema(Handle));

    internal static byte[] Utf8Z(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    const int MaxReturns = 8;

    /// <summary>Calls the operator and returns its only result as a tensor.</summary>
    public torch.Tensor Call(params ReadOnlySpan<Arg> args)
    {
        var rets = stackalloc ArchRet[MaxReturns];
        int n = Invoke(args, rets);
        if (n != 1 || rets[0].Kind != ArgKind.Tensor)
        {
            var values = Returns.Convert(rets, n);
            throw new TorchException($"{Name} returned {Returns.Describe(values)}, not one tensor");
        }
        return new torch.Tensor((IntPtr)rets[0].P);
    }

    // Fast paths for the commonest calls (one or two positional tensors, e.g. relu, add, matmul):
    // no argument packing, no scratch area.
    public torch.Tensor Call(torch.Tensor a)
    {
        var native = stackalloc ArchArg[1];
        using var ha = a.Use();
        native[0] = new ArchArg { Kind = ArgKind.Tensor, P = (void*)ha.Handle };
        return CallNative(native, 1);
    }

    public torch.Tensor Call(torch.Tensor a, torch.Tensor b)
    {
        var native = stackalloc ArchArg[2];
        using var ha = a.Use();
        using var hb = b.Use();
        native[0] = new ArchArg { Kind = ArgKind.Tensor, P = (void*)ha.Handle };
        native[1] = new ArchArg { Kind = ArgKind.Tensor, P = (void*)hb.Handle };
        return CallNative(native, 2);
    }

    torch.Tensor CallNative(ArchArg* native, int count)
    {
        var rets = stackalloc ArchRet[MaxReturns];
        int n;
        int status = NativeMethods.arch_call(Handle, native, count, rets, MaxReturns, &n);
        if (status != 0) Throw(status);
        if (n != 1 || rets[0].Kind != ArgKind.Tensor)
            throw new TorchException($"{Name} returned {Returns.Describe(Returns.Convert(rets, n))}, not one tensor");
        return new torch.Tensor((IntPtr)rets[0].P);
    }

    void Throw(int status)
    {
        var msg = NativeMethods.TakeString(NativeMethods.arch_take_error());
        if (status == 2) throw new ArgumentException($"{Name}: {msg}");
        throw new TorchException(msg);
    }

    /// <summary>Calls the operator and returns all its results (tensors, lists, numbers).</summary>
    public object?[] CallAll(params ReadOnlySpan<Arg> args)
    {
        var rets = stackalloc ArchRet[MaxReturns];
        int n = Invoke(args, rets);
        return Returns.Convert(rets, n);
    }

    /// <summary>Calls an operator whose results are all tensors (e.g. a tuple or Tensor[]).</summary>
    public torch.Tensor[] CallTensors(params ReadOnlySpan<Arg> args)
    {
        var values = CallAll(args);
        if (values.Length == 1 && values[0] is torch.Tensor[] list) return list;
        var result = new torch.Tensor[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = values[i] as torch.Tensor ?? throw new TorchException($"{Name} returned a non-tensor at position {i}");
        return result;
    }

    /// <summary>Calls an in-place or void operator and drops its results.</summary>
    public void CallVoid(params ReadOnlySpan<Arg> args)
    {
        var rets = stackalloc ArchRet[MaxReturns];
        int n = Invoke(args, rets);
        Returns.Release(rets, n);
    }

    /// <summary>Returns the status instead of throwing on an argument mismatch (for overload resolution).</summary>
    internal int TryInvoke(ReadOnlySpan<Arg> args, ArchRet* rets, out int nrets, out string? error)
    {
        int status = InvokeRaw(args, rets, out nrets);
        error = status == 0 ? null : NativeMethods.TakeString(NativeMethods.arch_take_error());
        return status;
    }

    int Invoke(ReadOnlySpan<Arg> args, ArchRet* rets)
    {
        int status = InvokeRaw(args, rets, out int nrets);
        if (status != 0) Throw(status);
        return nrets;
    }

    int InvokeRaw(ReadOnlySpan<Arg> args, ArchRet* rets, out int nrets)
    {
        // Lists and strings are copied into one stack scratch area so nothing needs pinning.
        const int ScratchBytes = 2048;
        byte* scratch = stackalloc byte[ScratchBytes];
        var native = stackalloc ArchArg[args.Length == 0 ? 1 : args.Length];
        var packer = new ArgPacker(scratch, ScratchBytes);
        int packed = 0;
        try
        {
            // Packing leases each tensor's handle; the leases end in the finally, after the call returns.
            for (; packed < args.Length; packed++) native[packed] = packer.Pack(in args[packed]);
            int n;
            int status = NativeMethods.arch_call(Handle, native, args.Length, rets, MaxReturns, &n);
            nrets = n;
            return status;
        }
        finally
        {
            packer.Free();
            for (int i = 0; i < packed; i++) ArgPacker.Release(in args[i]);
        }
    }

    public override string ToString() => Name;
}

/// <summary>Process-wide cache of resolved operator handles.</summary>
internal static class OpCache
{
    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), Op> cache = new();
    internal static Op Get(string name, string overload) => cache.GetOrAdd((name, overload), k => new Op(k.Item1, k.Item2));
}
