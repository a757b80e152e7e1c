using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

/// <summary>The torch namespace: tensor functions, random state, devices and autograd switches (TorchSharp-shaped).</summary>
public static partial class torch
{
    static torch() => NativeLoader.EnsureResolver();

    static readonly Op catOp = new("cat"), stackOp = new("stack"), whereOp = new("where", "self"), whereScalarOther = new("where", "ScalarOther");
    static readonly Op einsumOp = new("einsum"), allcloseOp = new("allclose"), equalOp = new("equal"), tensordotOp = new("tensordot");
    static readonly Op cdistOp = new("cdist"), broadcastTensorsOp = new("broadcast_tensors"), meshgridOp = new("meshgrid", "indexing");
    static readonly Op oneHotOp = new("one_hot"), bucketizeOp = new("bucketize", "Tensor"), isCloseOp = new("isclose");

    public static Tensor cat(Tensor[] tensors, long dim = 0) => catOp.Call(tensors, dim);
    public static Tensor cat(IEnumerable<Tensor> tensors, long dim = 0) => cat(tensors.ToArray(), dim);
    public static Tensor concat(Tensor[] tensors, long dim = 0) => cat(tensors, dim);
    public static Tensor stack(Tensor[] tensors, long dim = 0) => stackOp.Call(tensors, dim);
    public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => stack(tensors.ToArray(), dim);
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => whereOp.Call(condition, x, y);
    public static Tensor where(Tensor condition, Tensor x, double y) => whereScalarOther.Call(condition, x, y);
    /// <summary>Einstein summation, e.g. einsum("bhqd,bhkd->bhqk", q, k).</summary>
    public static Tensor einsum(string equation, params Tensor[] operands) => einsumOp.Call(equation, operands);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) =>
        (bool)allcloseOp.CallAll(a, b, rtol, atol, equal_nan)[0]!;
    public static Tensor isclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => isCloseOp.Call(a, b, rtol, atol);
    public static bool equal(Tensor a, Tensor b) => (bool)equalOp.CallAll(a, b)[0]!;
    public static Tensor tensordot(Tensor a, Tensor b, long[] dims_a, long[] dims_b) => tensordotOp.Call(a, b, dims_a, dims_b);
    public static Tensor cdist(Tensor x1, Tensor x2, double p = 2) => cdistOp.Call(x1, x2, p);
    public static Tensor[] broadcast_tensors(params Tensor[] tensors) => broadcastTensorsOp.CallTensors(tensors);
    public static Tensor[] meshgrid(Tensor[] tensors, string indexing = "ij") => meshgridOp.CallTensors(tensors, Arg.Kw("indexing", indexing));
    public static Tensor one_hot(Tensor indices, long num_classes = -1) => oneHotOp.Call(indices, num_classes);
    public static Tensor bucketize(Tensor input, Tensor boundaries, bool right = false) => bucketizeOp.Call(input, boundaries, Arg.Kw("right", right));

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor mm(Tensor a, Tensor b) => a.mm(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor tril(Tensor t, long diagonal = 0) => t.tril(diagonal);
    public static Tensor triu(Tensor t, long diagonal = 0) => t.triu(diagonal);
    public static Tensor exp(Tensor t) => t.exp();
    public static Tensor log(Tensor t) => t.log();
    public static Tensor sqrt(Tensor t) => t.sqrt();
    public static Tensor abs(Tensor t) => t.abs();
    public static Tensor tanh(Tensor t) => t.tanh();
    public static Tensor sigmoid(Tensor t) => t.sigmoid();
    public static Tensor relu(Tensor t) => t.relu();
    public static Tensor sin(Tensor t) => t.sin();
    public static Tensor cos(Tensor t) => t.cos();
    public static Tensor sum(Tensor t) => t.sum();
    public static Tensor mean(Tensor t) => t.mean();
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor clamp(Tensor t, double? min = null, double? max = null) => t.clamp(min, max);
    public static Tensor softmax(Tensor t, long dim) => t.softmax(dim);
    public static Tensor gather(Tensor t, long dim, Tensor index) => t.gather(dim, index);
    public static Tensor[] split(Tensor t, long size, long dim = 0) => t.split(size, dim);
    public static Tensor[] chunk(Tensor t, long chunks, long dim = 0) => t.chunk(chunks, dim);
    public static Tensor flatten(Tensor t, long start_dim = 0, long end_dim = -1) => t.flatten(start_dim, end_dim);
    public static Tensor argmax(Tensor t, long dim, bool keepdim = false) => t.argmax(dim, keepdim);

    // ---- random state and determinism ----

    /// <summary>Seeds libtorch's default generators (CPU and, when present, CUDA).</summary>
    public static void manual_seed(long seed)
    {
        NativeMethods.arch_manual_seed(unchecked((ulong)seed));
        NativeMethods.Check();
    }

    /// <summary>Makes libtorch pick deterministic algorithms (and raise where none exists).</summary>
    public static void use_deterministic_algorithms(bool on)
    {
        NativeMethods.arch_set_deterministic(on ? 1 : 0);
        NativeMethods.Check();
    }

    public static bool are_deterministic_algorithms_enabled() => NativeMethods.arch_get_deterministic() != 0;

    public static int get_num_threads() => NativeMethods.arch_get_num_threads();

    public static void set_num_threads(int n)
    {
        if (n < 1) throw new ArgumentException("the number of threads must be at least 1");
        NativeMethods.arch_set_num_threads(n);
        NativeMethods.Check();
    }

    /// <summary>How the start-up thread count was chosen, e.g. "2 = physical cores available (...)" (see <see cref="ThreadDefaults"/>).</summary>
    public static string num_threads_default
    {
        get
        {
            _ = get_num_threads();  // loads libtorch, which makes the choice
            return ThreadDefaults.Decision;
        }
    }

    /// <summary>The BLAS that libtorch's matrix products reach in this process (library, threading model, configuration, and why).</summary>
    public static BlasInfo blas_info
    {
        get
        {
            _ = get_num_threads();  // the BLAS is chosen while libtorch loads
            return BlasInfo.Read();
        }
    }

    /// <summary>libtorch's version, e.g. "1.13.1".</summary>
    public static string __version__ => NativeMethods.TakeStringOrThrow(NativeMethods.arch_version());

    /// <summary>libtorch's major version (1 for Debian 12's 1.13, 2 for current wheels). Code that must
    /// round exactly like torch.optim or torch.nn.utils of the same libtorch picks its arithmetic by it.</summary>
    internal static int LibtorchMajor => libtorchMajor.Value;
    static readonly Lazy<int> libtorchMajor = new(() => int.Parse(__version__.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// True when CPU tensors up to 4 KiB come from the binding's per-thread block cache rather than
    /// straight from posix_memalign (set ARCHNB_CPU_ALLOCATOR=default before start to turn it off,
    /// e.g. under valgrind).
    /// </summary>
    public static bool cpu_allocator_cached
    {
        get
        {
            NativeLoader.EnsureResolver();
            return NativeMethods.arch_cpu_allocator_cached() != 0;
        }
    }

    /// <summary>
    /// The glibc malloc thresholds the shim fixed at load (bytes): blocks under <c>Mmap</c> come from the
    /// heap, and up to <c>Trim</c> bytes may stay free at the top of an arena. Null when glibc adjusts its
    /// own (set ARCHNB_MALLOC_THRESHOLDS=system before start).
    /// </summary>
    public static (long Mmap, long Trim)? malloc_thresholds
    {
        get
        {
            NativeLoader.EnsureResolver();
            NativeMethods.arch_malloc_thresholds(out var mmap, out var trim);
            return mmap == 0 ? null : (mmap, trim);
        }
    }

    /// <summary>libtorch's build configuration (BLAS, OpenMP, CUDA...).</summary>
    public static string build_info => NativeMethods.TakeStringOrThrow(NativeMethods.arch_build_info());

    /// <summary>CUDA devices as libtorch sees them.</summary>
    public static class cuda
    {
        public static bool is_available() => NativeMethods.arch_cuda_is_available() != 0;
        public static int device_count() => NativeMethods.arch_cuda_device_count();
        /// <summary>Waits until queued work on the device has finished (for timing).</summary>
        public static void synchronize(int device = 0)
        {
            NativeMethods.arch_cuda_synchronize(device);
            NativeMethods.Check();
        }
    }

    // ---- autograd switches ----

    /// <summary>Disables gradient tracking on this thread until disposed: using (torch.no_grad()) { ... }.</summary>
    public static GradModeScope no_grad() => new(false);
    public static GradModeScope enable_grad() => new(true);
    public static GradModeScope set_grad_enabled(bool on) => new(on);
    public static bool is_grad_enabled() => NativeMethods.arch_grad_enabled() != 0;

    /// <summary>Restores the previous grad mode when disposed.</summary>
    public sealed class GradModeScope : IDisposable
    {
        readonly bool previous;
        bool done;
        internal GradModeScope(bool on)
        {
            previous = NativeMethods.arch_grad_enabled() != 0;
            NativeMethods.arch_set_grad_enabled(on ? 1 : 0);
        }
        public void Dispose()
        {
            if (done) return;
            done = true;
            NativeMethods.arch_set_grad_enabled(previous ? 1 : 0);
        }
    }

    public static class autograd
    {
        /// <summary>Gradients of outputs with respect to inputs (torch.autograd.grad).</summary>
        public static unsafe Tensor?[] grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            if (grad_outputs != null && grad_outputs.Length != outputs.Length)
                throw new ArgumentException($"grad_outputs has {grad_outputs.Length} entries but there are {outputs.Length} outputs");
            // Every tensor passed is leased for the call, so a dispose on another thread waits for it to end.
            var leased = new List<Tensor>(outputs.Length + inputs.Length + (grad_outputs?.Length ?? 0));
            IntPtr Lease(Tensor? t)
            {
                if (t is null) return IntPtr.Zero;
                var h = t.Acquire();
                leased.Add(t);
                return h;
            }
            var res = new IntPtr[inputs.Length];
            try
            {
                var outs = outputs.Select(Lease).ToArray();
                var gouts = grad_outputs?.Select(Lease).ToArray();
                var ins = inputs.Select(Lease).ToArray();
                fixed (IntPtr* o = outs, g = gouts, i = ins, r = res)
                    NativeMethods.arch_autograd_grad(o, outs.Length, g, i, ins.Length,
                        retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0, r);
            }
            finally
            {
                foreach (var t in leased) t.Release();
            }
            NativeMethods.Check();
            return res.Select(h => h == IntPtr.Zero ? null : new Tensor(h)).ToArray();
        }
    }
}

public static partial class torch
{
    /// <summary>Operator namespaces: torch.ops.aten["layer_norm"].Invoke(x, new long[] { 8 }).</summary>
    public static class ops
    {
        public static readonly OpNamespace aten = new("aten");
        public static readonly OpNamespace prims = new("prims");
        /// <summary>Any namespace by name.</summary>
        public static OpNamespace Namespace(string name) => new(name);
    }
}
