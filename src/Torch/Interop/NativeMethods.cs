using System.Runtime.InteropServices;

namespace ArchNotebooks.Torch.Interop;

/// <summary>P/Invoke declarations for libarchtorch (src/Torch/native).</summary>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = "archtorch";

    static NativeMethods()
    {
        NativeLoader.EnsureResolver();
        ThreadDefaults.Apply();
    }

    // errors and memory
    [DllImport(Lib)] internal static extern IntPtr arch_take_error();
    [DllImport(Lib)] internal static extern void arch_free(IntPtr p);

    // runtime
    [DllImport(Lib)] internal static extern IntPtr arch_version();
    [DllImport(Lib)] internal static extern IntPtr arch_build_info();
    [DllImport(Lib)] internal static extern void arch_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern void arch_set_deterministic(int on);
    [DllImport(Lib)] internal static extern int arch_get_deterministic();
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_grad_enabled();
    [DllImport(Lib), SuppressGCTransition] internal static extern void arch_set_grad_enabled(int on);
    [DllImport(Lib)] internal static extern int arch_get_num_threads();
    [DllImport(Lib)] internal static extern void arch_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int arch_cuda_is_available();
    [DllImport(Lib)] internal static extern int arch_cuda_device_count();
    [DllImport(Lib)] internal static extern void arch_cuda_synchronize(int index);

    // operators
    [DllImport(Lib)] internal static extern IntPtr arch_op_find(byte* name, byte* overload);
    [DllImport(Lib)] internal static extern void arch_op_free(IntPtr op);
    [DllImport(Lib)] internal static extern IntPtr arch_op_overloads(byte* name);
    [DllImport(Lib)] internal static extern IntPtr arch_op_schema(IntPtr op);
    [DllImport(Lib)] internal static extern int arch_call(IntPtr op, ArchArg* args, int nargs, ArchRet* rets, int maxrets, int* nrets);

    // tensors
    [DllImport(Lib)] internal static extern void arch_tensor_free(IntPtr h);
    [DllImport(Lib)] internal static extern IntPtr arch_tensor_alias(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_tensor_dim(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern long arch_tensor_numel(IntPtr h);
    [DllImport(Lib)] internal static extern long arch_tensor_data_ptr(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_cpu_allocator_cached();
    [DllImport(Lib), SuppressGCTransition] internal static extern void arch_malloc_thresholds(out long mmapBytes, out long trimBytes);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_tensor_dtype(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_tensor_element_size(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_tensor_requires_grad(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_tensor_is_leaf(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern int arch_tensor_is_contiguous(IntPtr h);
    [DllImport(Lib), SuppressGCTransition] internal static extern void arch_tensor_sizes(IntPtr h, long* out_);
    [DllImport(Lib), SuppressGCTransition] internal static extern void arch_tensor_strides(IntPtr h, long* out_);
    [DllImport(Lib), SuppressGCTransition] internal static extern void arch_tensor_device(IntPtr h, int* type, int* index);
    [DllImport(Lib)] internal static extern void arch_tensor_set_requires_grad(IntPtr h, int on);
    [DllImport(Lib)] internal static extern IntPtr arch_tensor_grad(IntPtr h);
    [DllImport(Lib)] internal static extern void arch_tensor_set_grad(IntPtr h, IntPtr g);
    [DllImport(Lib)] internal static extern void arch_tensor_retain_grad(IntPtr h);
    [DllImport(Lib)] internal static extern IntPtr arch_tensor_grad_fn(IntPtr h);
    [DllImport(Lib)] internal static extern void arch_tensor_backward(IntPtr h, IntPtr grad, int retainGraph, int createGraph);
    [DllImport(Lib)] internal static extern void arch_autograd_grad(IntPtr* outputs, int nout, IntPtr* gradOutputs, IntPtr* inputs, int nin,
        int retainGraph, int createGraph, int allowUnused, IntPtr* result);
    [DllImport(Lib)] internal static extern IntPtr arch_tensor_from_data(void* data, long* dims, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern void arch_tensor_to_data(IntPtr h, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern double arch_tensor_item_double(IntPtr h);
    [DllImport(Lib)] internal static extern long arch_tensor_item_int64(IntPtr h);

    /// <summary>Throws the pending native error, if any, as a managed exception.</summary>
    internal static void Check()
    {
        var err = arch_take_error();
        if (err != IntPtr.Zero) throw new TorchException(TakeString(err));
    }

    /// <summary>Reads and frees a malloc'd UTF-8 string from the shim.</summary>
    internal static string TakeString(IntPtr p)
    {
        if (p == IntPtr.Zero) return "";
        try { return Marshal.PtrToStringUTF8(p) ?? ""; }
        finally { arch_free(p); }
    }

    /// <summary>Like TakeString, but a null result means a pending error.</summary>
    internal static string TakeStringOrThrow(IntPtr p)
    {
        if (p == IntPtr.Zero) Check();
        return TakeString(p);
    }
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ArchArg
{
    public ArgKind Kind;
    public int Len;
    public long I;
    public double D;
    public void* P;
    public byte* Name;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ArchRet
{
    public ArgKind Kind;
    public int Len;
    public long I;
    public double D;
    public void* P;
}

/// <summary>Argument and return kinds; mirrors arch_kind in archtorch.h.</summary>
internal enum ArgKind : int
{
    None = 0, Tensor = 1, Int = 2, Double = 3, Bool = 4, IntList = 5, DoubleList = 6,
    TensorList = 7, String = 8, Device = 9, BoolList = 10,
}
