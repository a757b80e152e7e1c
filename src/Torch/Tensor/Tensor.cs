using System.Runtime.InteropServices;
using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>
    /// A libtorch tensor. Owns exactly one native handle: freed by Dispose, by the dispose scope
    /// it was created in, or (as a backstop) by a finalizer. Use after Dispose throws.
    /// </summary>
    /// <remarks>
    /// Every native call holds a lease on the handle (<see cref="Use()"/>), counted as SafeHandle counts its
    /// references: Dispose on one thread while another thread's call is in flight marks the tensor disposed
    /// at once (new uses throw ObjectDisposedException) and the last lease frees the native tensor, so a
    /// racing dispose can never free memory that libtorch is still reading.
    /// <para/>
    /// The finalizer lives in a small companion object that exists only while the tensor belongs to
    /// no dispose scope (a scope already guarantees the free); companions are pooled per thread,
    /// because allocating a finalizable object for every operator result costs ~10% of a small op.
    /// </remarks>
    public sealed partial class Tensor : IDisposable
    {
        IntPtr handle;
        // Leases in flight in the low bits; DisposeRequested once Dispose has been called.
        int leases;
        const int DisposeRequested = 1 << 30;
        DisposeScope? scope;
        FinalizerBackstop? backstop;

        /// <summary>The scope that will free this tensor, or null when only Dispose or the finalizer will.</summary>
        internal DisposeScope? Scope
        {
            get => scope;
            set
            {
                scope = value;
                if (value is null && backstop is null && handle != IntPtr.Zero) backstop = FinalizerBackstop.Rent(handle);
            }
        }

        internal Tensor(IntPtr handle)
        {
            if (handle == IntPtr.Zero)
            {
                NativeMethods.Check();
                throw new TorchException("libtorch returned an undefined tensor");
            }
            this.handle = handle;
            if (!DisposeScope.Register(this)) backstop = FinalizerBackstop.Rent(handle);
        }

        /// <summary>The native handle; throws ObjectDisposedException once disposed.</summary>
        /// <remarks>
        /// The value is not leased: code outside this library that passes it to native code must keep
        /// the tensor from being disposed meanwhile. The binding itself goes through <see cref="Use()"/>.
        /// </remarks>
        public IntPtr Handle
        {
            get
            {
                if ((Volatile.Read(ref leases) & DisposeRequested) != 0) throw Disposed();
                return handle;
            }
        }

        public bool IsDisposed => (Volatile.Read(ref leases) & DisposeRequested) != 0;

        static ObjectDisposedException Disposed() =>
            new(nameof(Tensor), "this tensor has been disposed (directly or by its dispose scope)");

        /// <summary>A lease on the native handle for one native call; dispose it when the call returns.</summary>
        internal Lease Use() => new(this, Acquire());

        /// <summary>A lease on an optional tensor: the zero handle for null.</summary>
        internal static Lease Use(Tensor? tensor) => tensor is null ? default : tensor.Use();

        /// <summary>Counts a use of the handle; throws once Dispose has been called.</summary>
        internal IntPtr Acquire()
        {
            var seen = Volatile.Read(ref leases);
            while (true)
            {
                if ((seen & DisposeRequested) != 0) throw Disposed();
                var before = Interlocked.CompareExchange(ref leases, seen + 1, seen);
                if (before == seen) return handle;
                seen = before;
            }
        }

        /// <summary>Ends a use; the last one after Dispose frees the native tensor.</summary>
        internal void Release()
        {
            if (Interlocked.Decrement(ref leases) == DisposeRequested) FreeNative();
        }

        /// <summary>Holds one lease; a ref struct so that it lives exactly as long as the call it guards.</summary>
        internal readonly ref struct Lease(Tensor? tensor, IntPtr handle)
        {
            public IntPtr Handle { get; } = handle;
            public void Dispose() => tensor?.Release();
        }

        public void Dispose()
        {
            var before = Interlocked.Or(ref leases, DisposeRequested);
            if ((before & DisposeRequested) != 0) return;
            // With a call in flight on another thread, that call's lease frees the tensor when it ends.
            if (before == 0) FreeNative();
        }

        void FreeNative()
        {
            var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
            if (h == IntPtr.Zero) return;
            var b = backstop;
            backstop = null;
            b?.Return();
            NativeMethods.arch_tensor_free(h);
        }

        /// <summary>
        /// Frees the handle of a tensor that was dropped without Dispose and outside any scope.
        /// Disposed tensors hand theirs back to a small per-thread pool: re-arming a finalizer is
        /// cheaper than allocating a finalizable object for every operator result.
        /// </summary>
        sealed class FinalizerBackstop
        {
            [ThreadStatic] static Stack<FinalizerBackstop>? pool;
            IntPtr handle;

            internal static FinalizerBackstop Rent(IntPtr handle)
            {
                var p = pool;
                if (p is not null && p.TryPop(out var b))
                {
                    b.handle = handle;
                    return b;
                }
                return new FinalizerBackstop { handle = handle };
            }

            // A pooled companion stays registered for finalization: while the pool holds it, it is
            // reachable and never finalized, and if it is dropped its finalizer finds no handle.
            internal void Return()
            {
                handle = IntPtr.Zero;
                var p = pool ??= new Stack<FinalizerBackstop>();
                if (p.Count < 256) p.Push(this);
            }

            ~FinalizerBackstop()
            {
                if (handle != IntPtr.Zero) NativeMethods.arch_tensor_free(handle);
            }
        }

        /// <summary>Keeps this tensor alive past the current dispose scope by handing it to the enclosing one.</summary>
        public Tensor MoveToOuterDisposeScope()
        {
            DisposeScope.MoveToOuter(this);
            return this;
        }

        /// <summary>Removes this tensor from every dispose scope: the caller now owns it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            Scope = null;
            return this;
        }

        // ---- metadata ----

        public long dim() { using var h = Use(); return NativeMethods.arch_tensor_dim(h.Handle); }
        public long ndim => dim();
        public long numel() { using var h = Use(); return NativeMethods.arch_tensor_numel(h.Handle); }

        /// <summary>Address of the first element, as PyTorch's data_ptr() (0 when there is no storage).</summary>
        public long data_ptr()
        {
            long p;
            using (var h = Use()) p = NativeMethods.arch_tensor_data_ptr(h.Handle);
            if (p == 0) NativeMethods.Check();
            return p;
        }
        public long NumberOfElements => numel();
        public ScalarType dtype { get { using var h = Use(); return (ScalarType)NativeMethods.arch_tensor_dtype(h.Handle); } }
        public long element_size() { using var h = Use(); return NativeMethods.arch_tensor_element_size(h.Handle); }
        public bool is_leaf { get { using var h = Use(); return NativeMethods.arch_tensor_is_leaf(h.Handle) != 0; } }
        public bool is_contiguous() { using var h = Use(); return NativeMethods.arch_tensor_is_contiguous(h.Handle) != 0; }

        public unsafe long[] shape
        {
            get
            {
                using var h = Use();
                var s = new long[NativeMethods.arch_tensor_dim(h.Handle)];
                fixed (long* p = s) NativeMethods.arch_tensor_sizes(h.Handle, p);
                return s;
            }
        }

        public long[] size() => shape;

        public long size(long dim)
        {
            var s = shape;
            var d = dim < 0 ? dim + s.Length : dim;
            if (d < 0 || d >= s.Length) throw new IndexOutOfRangeException($"dimension {dim} is out of range for a tensor of {s.Length} dimensions");
            return s[d];
        }

        public unsafe long[] stride()
        {
            using var h = Use();
            var s = new long[NativeMethods.arch_tensor_dim(h.Handle)];
            fixed (long* p = s) NativeMethods.arch_tensor_strides(h.Handle, p);
            return s;
        }

        public unsafe Device device
        {
            get
            {
                int type, index;
                using (var h = Use()) NativeMethods.arch_tensor_device(h.Handle, &type, &index);
                return new Device((DeviceType)type, index);
            }
        }

        public bool is_cuda => device.type == DeviceType.CUDA;

        // ---- autograd state ----

        public bool requires_grad
        {
            get { using var h = Use(); return NativeMethods.arch_tensor_requires_grad(h.Handle) != 0; }
            set
            {
                using (var h = Use()) NativeMethods.arch_tensor_set_requires_grad(h.Handle, value ? 1 : 0);
                NativeMethods.Check();
            }
        }

        public Tensor requires_grad_(bool on = true)
        {
            requires_grad = on;
            return this;
        }

        /// <summary>The accumulated gradient (a new handle sharing storage), or null.</summary>
        public Tensor? grad
        {
            get
            {
                IntPtr g;
                using (var h = Use()) g = NativeMethods.arch_tensor_grad(h.Handle);
                if (g == IntPtr.Zero) { NativeMethods.Check(); return null; }
                return new Tensor(g);
            }
            set
            {
                using (var h = Use())
                using (var g = Use(value))
                    NativeMethods.arch_tensor_set_grad(h.Handle, g.Handle);
                NativeMethods.Check();
            }
        }

        /// <summary>Name of the autograd node that produced this tensor, e.g. "AddBackward0", or null for leaves.</summary>
        public string? grad_fn
        {
            get
            {
                IntPtr p;
                using (var h = Use()) p = NativeMethods.arch_tensor_grad_fn(h.Handle);
                if (p == IntPtr.Zero) { NativeMethods.Check(); return null; }
                return NativeMethods.TakeString(p);
            }
        }

        public void retain_grad()
        {
            using (var h = Use()) NativeMethods.arch_tensor_retain_grad(h.Handle);
            NativeMethods.Check();
        }

        /// <summary>Backpropagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
        public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false)
        {
            using (var h = Use())
            using (var g = Use(gradient))
                NativeMethods.arch_tensor_backward(h.Handle, g.Handle, retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0);
            NativeMethods.Check();
        }

        /// <summary>A second handle to the same tensor (same storage and autograd identity).</summary>
        public Tensor alias()
        {
            using var h = Use();
            return new(NativeMethods.arch_tensor_alias(h.Handle));
        }

        // ---- data ----

        /// <summary>Copies the elements to a new .NET array (row-major, on the host).</summary>
        public unsafe T[] data<T>() where T : unmanaged
        {
            CheckElementType<T>();
            var result = new T[numel()];
            using (var h = Use())
            fixed (T* p = result) NativeMethods.arch_tensor_to_data(h.Handle, p, (long)result.Length * sizeof(T));
            NativeMethods.Check();
            return result;
        }

        public T[] ToArray<T>() where T : unmanaged => data<T>();

        /// <summary>The value of a one-element tensor.</summary>
        public T item<T>() where T : unmanaged
        {
            if (numel() != 1) throw new InvalidOperationException($"item() needs a tensor with one element, this one has {numel()} (shape [{string.Join(", ", shape)}])");
            object v;
            if (typeof(T) == typeof(float)) v = (float)ToDouble();
            else if (typeof(T) == typeof(double)) v = ToDouble();
            else if (typeof(T) == typeof(long)) v = ToInt64();
            else if (typeof(T) == typeof(int)) v = (int)ToInt64();
            else if (typeof(T) == typeof(bool)) v = ToInt64() != 0;
            else return data<T>()[0];
            return (T)v;
        }

        public double ToDouble()
        {
            double v;
            using (var h = Use()) v = NativeMethods.arch_tensor_item_double(h.Handle);
            NativeMethods.Check();
            return v;
        }

        public float ToSingle() => (float)ToDouble();

        public long ToInt64()
        {
            long v;
            using (var h = Use()) v = NativeMethods.arch_tensor_item_int64(h.Handle);
            NativeMethods.Check();
            return v;
        }

        public bool ToBoolean() => ToInt64() != 0;

        unsafe void CheckElementType<T>() where T : unmanaged
        {
            var actual = dtype;
            // ushort reads the raw bits of a 16-bit float; it has no dtype of its own, so check it before ElementTypeOf.
            if (typeof(T) == typeof(ushort))
            {
                if (actual is ScalarType.Float16 or ScalarType.BFloat16) return;
                throw new InvalidOperationException($"UInt16 reads the raw bits of float16 or bfloat16 tensors, not of {DTypeName(actual)}");
            }
            var expected = ElementTypeOf<T>();
            if (expected != actual && !(typeof(T) == typeof(byte) && actual == ScalarType.Bool)
                && !(typeof(T) == typeof(ushort) && actual is ScalarType.Float16 or ScalarType.BFloat16)
                && !(typeof(T) == typeof(Half) && actual == ScalarType.Float16))
                throw new InvalidOperationException($"cannot read a {DTypeName(actual)} tensor as {typeof(T).Name}; convert it first with .to({DTypeName(expected)})");
        }
    }

    internal static ScalarType ElementTypeOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(short)) return ScalarType.Int16;
        if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
        if (typeof(T) == typeof(byte)) return ScalarType.Byte;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        if (typeof(T) == typeof(Half)) return ScalarType.Float16;
        if (typeof(T) == typeof(System.Numerics.Complex)) return ScalarType.ComplexFloat64;
        throw new ArgumentException($"{typeof(T).Name} is not a tensor element type");
    }
}
