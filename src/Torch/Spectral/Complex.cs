using System.Numerics;
using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    public const ScalarType complex64 = ScalarType.ComplexFloat32;
    public const ScalarType cfloat = ScalarType.ComplexFloat32;
    public const ScalarType complex128 = ScalarType.ComplexFloat64;
    public const ScalarType cdouble = ScalarType.ComplexFloat64;

    internal static bool IsComplex(ScalarType t) => t is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;

    static readonly Op complexOp = new("complex"), polarOp = new("polar");

    /// <summary>A complex tensor from real and imaginary parts of the same floating dtype.</summary>
    public static Tensor complex(Tensor real, Tensor imag) => complexOp.Call(real, imag);
    /// <summary>A complex tensor from magnitudes and phases (radians).</summary>
    public static Tensor polar(Tensor abs, Tensor angle) => polarOp.Call(abs, angle);
    /// <summary>A complex tensor seen as real, with a last axis of 2 (real, imaginary); shares storage.</summary>
    public static Tensor view_as_real(Tensor input) => input.view_as_real();
    /// <summary>A real tensor whose last axis is 2 seen as complex; shares storage.</summary>
    public static Tensor view_as_complex(Tensor input) => input.view_as_complex();
    public static Tensor real(Tensor input) => input.real;
    public static Tensor imag(Tensor input) => input.imag;
    public static Tensor angle(Tensor input) => input.angle();
    public static Tensor conj(Tensor input) => input.conj();
    public static bool is_complex(Tensor input) => input.is_complex();

    public sealed partial class Tensor
    {
        static readonly Op viewAsRealOp = new("view_as_real"), viewAsComplexOp = new("view_as_complex");
        static readonly Op realOp = new("real"), imagOp = new("imag"), angleOp = new("angle"), conjOp = new("conj"), resolveConjOp = new("resolve_conj");

        public bool is_complex() => IsComplex(dtype);

        public Tensor view_as_real()
        {
            if (!is_complex()) throw new ArgumentException($"view_as_real needs a complex tensor, this one is {DTypeName(dtype)}");
            // A lazily conjugated tensor (from conj()) cannot be viewed as real until the conjugation is done.
            using var resolved = resolveConjOp.Call(this);
            return viewAsRealOp.Call(resolved);
        }

        public Tensor view_as_complex()
        {
            if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
                throw new ArgumentException($"view_as_complex needs a float32 or float64 tensor, this one is {DTypeName(dtype)}");
            if (dim() == 0 || shape[^1] != 2)
                throw new ArgumentException($"view_as_complex needs a last axis of size 2 (real, imaginary), got shape [{string.Join(", ", shape)}]");
            return viewAsComplexOp.Call(this);
        }

        /// <summary>The real part (a view for complex tensors; the tensor itself, aliased, for real ones).</summary>
        public Tensor real => realOp.Call(this);
        /// <summary>The imaginary part (complex tensors only).</summary>
        public Tensor imag => is_complex() ? imagOp.Call(this)
            : throw new ArgumentException($"imag needs a complex tensor, this one is {DTypeName(dtype)}");
        /// <summary>The phase in radians (0 or pi for real tensors).</summary>
        public Tensor angle() => angleOp.Call(this);
        /// <summary>The complex conjugate (lazy in libtorch; real tensors come back unchanged).</summary>
        public Tensor conj() => conjOp.Call(this);
        public Tensor resolve_conj() => resolveConjOp.Call(this);
    }

    /// <summary>Elements of a complex128 tensor as <see cref="Complex"/> values (complex64 is widened first).</summary>
    internal static Complex[] ComplexData(Tensor t)
    {
        using var wide = t.to(ScalarType.ComplexFloat64);
        return wide.data<Complex>();
    }
}
