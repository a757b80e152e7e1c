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
    /// The finalizer lives in a small companion object that exists only while the tensor belongs to
    /// no dispose scope (a scope already guarantees the free); companions are pooled per thread,
    /// because allocating a finalizable object for every operator result costs ~10% of a small op.
    /// </remarks>
    public sealed partial class Tensor : IDisposable
    {
        IntPtr handle;
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
        public IntPtr Handle
        {
            get
            {
                var h = handle;
                if (h == IntPtr.Zero) throw new ObjectDisposedException(nameof(Tensor), "this tensor has been disposed (directly or by its dispose scope)");
                return h;
            }
        }

        public bool IsDisposed => handle == IntPtr.Zero;

        public void Dispose() => Free();

        void Free()
        {
            var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
            if (h == IntPtr.Zero) return;
            scope?.Forget(this);
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

        public long dim() => NativeMethods.arch_tensor_dim(Handle);
        public long ndim => dim();
        public long numel() => NativeMethods.arch_tensor_numel(Handle);

        /// <summary>Address of the first element, as PyTorch's data_ptr() (0 when there is no storage).</summary>
        public long data_ptr()
        {
            long p = NativeMethods.arch_tensor_data_ptr(Handle);
            if (p == 0) NativeMethods.Check();
            return p;
        }
        public long NumberOfElements => numel();
        public ScalarType dtype => (ScalarType)NativeMethods.arch_tensor_dtype(Handle);
        public long element_size() => NativeMethods.arch_tensor_element_size(Handle);
        public bool is_leaf => NativeMethods.arch_tensor_is_leaf(Handle) != 0;
        public bool is_contiguous() => NativeMethods.arch_tensor_is_contiguous(Handle) != 0;

        public unsafe long[] shape
        {
            get
            {
                var h = Handle;
                var s = new long[NativeMethods.arch_tensor_dim(h)];
                fixed (long* p = s) NativeMethods.arch_tensor_sizes(h, p);
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
            var h = Handle;
            var s = new long[NativeMethods.arch_tensor_dim(h)];
            fixed (long* p = s) NativeMethods.arch_tensor_strides(h, p);
            return s;
        }

        public unsafe Device device
        {
            get
            {
                int type, index;
                NativeMethods.arch_tensor_device(Handle, &type, &index);
                return new Device((DeviceType)type, index);
            }
        }

        public bool is_cuda => device.type == DeviceType.CUDA;

        // ---- autograd state ----

        public bool requires_grad
        {
            get => NativeMethods.arch_tensor_requires_grad(Handle) != 0;
            set { NativeMethods.arch_tensor_set_requires_grad(Handle, value ? 1 : 0); NativeMethods.Check(); }
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
                var g = NativeMethods.arch_tensor_grad(Handle);
                if (g == IntPtr.Zero) { NativeMethods.Check(); return null; }
                return new Tensor(g);
            }
            set { NativeMethods.arch_tensor_set_grad(Handle, value?.Handle ?? IntPtr.Zero); NativeMethods.Check(); GC.KeepAlive(value); }
        }

        /// <summary>Name of the autograd node that produced this tensor, e.g. "AddBackward0", or null for leaves.</summary>
        public string? grad_fn
        {
            get
            {
                var p = NativeMethods.arch_tensor_grad_fn(Handle);
                if (p == IntPtr.Zero) { NativeMethods.Check(); return null; }
                return NativeMethods.TakeString(p);
            }
        }

        public void retain_grad() { NativeMethods.arch_tensor_retain_grad(Handle); NativeMethods.Check(); }

        /// <summary>Backpropagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
        public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false)
        {
            NativeMethods.arch_tensor_backward(Handle, gradient?.Handle ?? IntPtr.Zero,
                retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0);
            GC.KeepAlive(gradient);
            NativeMethods.Check();
        }

        /// <summary>A second handle to the same tensor (same storage and autograd identity).</summary>
        public Tensor alias() => new(NativeMethods.arch_tensor_alias(Handle));

        // ---- data ----

        /// <summary>Copies the elements to a new .NET array (row-major, on the host).</summary>
        public unsafe T[] data<T>() where T : unmanaged
        {
            CheckElementType<T>();
            var result = new T[numel()];
            fixed (T* p = result) NativeMethods.arch_tensor_to_data(Handle, p, (long)result.Length * sizeof(T));
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
            var v = NativeMethods.arch_tensor_item_double(Handle);
            NativeMethods.Check();
            return v;
        }

        public float ToSingle() => (float)ToDouble();

        public long ToInt64()
        {
            var v = NativeMethods.arch_tensor_item_int64(Handle);
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
        throw new ArgumentException($"{typeof(T).Name} is not a tensor element type");
    }
}
