using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>
    /// Discrete Fourier transforms (torch.fft). <c>n</c>/<c>s</c> pad or trim the signal before transforming,
    /// <c>dim</c> picks the axes, <c>norm</c> is "backward" (the default: no scaling forward, 1/n inverse),
    /// "ortho" (1/sqrt(n) both ways) or "forward" (1/n forward). Complex results are complex64 for float32
    /// input and complex128 for float64; read them with <see cref="view_as_real"/>, <see cref="Tensor.real"/>,
    /// <see cref="Tensor.imag"/> or <see cref="Tensor.abs"/>.
    /// </summary>
    // A class named fft could not hold a method named fft (C# forbids a member named like its type), so torch.fft is
    // an instance of FourierTransforms: torch.fft.fft(x) reads as in PyTorch.
    public static readonly FourierTransforms fft = new();

    /// <summary>The functions of <see cref="fft"/>.</summary>
    public sealed class FourierTransforms
    {
        internal FourierTransforms() { }

        static readonly Op fftOp = new("fft_fft"), ifftOp = new("fft_ifft"), rfftOp = new("fft_rfft"), irfftOp = new("fft_irfft");
        static readonly Op hfftOp = new("fft_hfft"), ihfftOp = new("fft_ihfft");
        static readonly Op fft2Op = new("fft_fft2"), ifft2Op = new("fft_ifft2"), rfft2Op = new("fft_rfft2"), irfft2Op = new("fft_irfft2");
        static readonly Op fftnOp = new("fft_fftn"), ifftnOp = new("fft_ifftn"), rfftnOp = new("fft_rfftn"), irfftnOp = new("fft_irfftn");
        static readonly Op fftfreqOp = new("fft_fftfreq"), rfftfreqOp = new("fft_rfftfreq");
        static readonly Op fftshiftOp = new("fft_fftshift"), ifftshiftOp = new("fft_ifftshift");

        /// <summary>One-dimensional transform of real or complex input along <paramref name="dim"/>.</summary>
        public Tensor fft(Tensor input, long? n = null, long dim = -1, string? norm = null) => OneDim(fftOp, input, n, dim, norm);
        /// <summary>Inverse of <see cref="fft"/>.</summary>
        public Tensor ifft(Tensor input, long? n = null, long dim = -1, string? norm = null) => OneDim(ifftOp, input, n, dim, norm);
        /// <summary>Transform of a real signal: the n/2 + 1 non-negative frequencies only.</summary>
        public Tensor rfft(Tensor input, long? n = null, long dim = -1, string? norm = null) => OneDim(rfftOp, input, n, dim, norm);
        /// <summary>Inverse of <see cref="rfft"/>: a real signal of length <paramref name="n"/> (default 2 (m - 1) for m input frequencies).</summary>
        public Tensor irfft(Tensor input, long? n = null, long dim = -1, string? norm = null) => OneDim(irfftOp, input, n, dim, norm);
        /// <summary>Transform of a Hermitian-symmetric signal given by its first half; the result is real.</summary>
        public Tensor hfft(Tensor input, long? n = null, long dim = -1, string? norm = null) => OneDim(hfftOp, input, n, dim, norm);
        /// <summary>Inverse of <see cref="hfft"/>.</summary>
        public Tensor ihfft(Tensor input, long? n = null, long dim = -1, string? norm = null) => OneDim(ihfftOp, input, n, dim, norm);

        /// <summary>Two-dimensional transform over <paramref name="dim"/> (the last two axes by default).</summary>
        public Tensor fft2(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(fft2Op, input, s, dim ?? LastTwo, norm);
        public Tensor ifft2(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(ifft2Op, input, s, dim ?? LastTwo, norm);
        public Tensor rfft2(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(rfft2Op, input, s, dim ?? LastTwo, norm);
        public Tensor irfft2(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(irfft2Op, input, s, dim ?? LastTwo, norm);

        /// <summary>N-dimensional transform over <paramref name="dim"/> (every axis, or the last len(s), by default).</summary>
        public Tensor fftn(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(fftnOp, input, s, dim, norm);
        public Tensor ifftn(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(ifftnOp, input, s, dim, norm);
        public Tensor rfftn(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(rfftnOp, input, s, dim, norm);
        public Tensor irfftn(Tensor input, long[]? s = null, long[]? dim = null, string? norm = null) => MultiDim(irfftnOp, input, s, dim, norm);

        /// <summary>The frequencies (cycles per unit of <paramref name="d"/>) of an n-point <see cref="fft"/>: 0, 1, ..., then the negative ones.</summary>
        public Tensor fftfreq(long n, double d = 1.0, ScalarType? dtype = null, Device? device = null) => Frequencies(fftfreqOp, n, d, dtype, device);
        /// <summary>The n/2 + 1 non-negative frequencies of an n-point <see cref="rfft"/>.</summary>
        public Tensor rfftfreq(long n, double d = 1.0, ScalarType? dtype = null, Device? device = null) => Frequencies(rfftfreqOp, n, d, dtype, device);

        /// <summary>Moves the zero frequency to the centre of <paramref name="dim"/> (every axis by default).</summary>
        public Tensor fftshift(Tensor input, long[]? dim = null) => fftshiftOp.Call(input, dim);
        public Tensor ifftshift(Tensor input, long[]? dim = null) => ifftshiftOp.Call(input, dim);

        static readonly long[] LastTwo = [-2, -1];

        static Tensor OneDim(Op op, Tensor input, long? n, long dim, string? norm)
        {
            CheckNorm(norm);
            if (n is <= 0) throw new ArgumentException($"torch.fft: n must be positive, got {n}");
            return op.Call(input, n, dim, norm);
        }

        static Tensor MultiDim(Op op, Tensor input, long[]? s, long[]? dim, string? norm)
        {
            CheckNorm(norm);
            if (s is not null && s.Any(x => x <= 0 && x != -1)) throw new ArgumentException($"torch.fft: every size in s must be positive (or -1 to keep the axis), got [{string.Join(", ", s)}]");
            if (s is not null && dim is not null && s.Length != dim.Length)
                throw new ArgumentException($"torch.fft: s has {s.Length} sizes but dim names {dim.Length} axes");
            return op.Call(input, s, dim, norm);
        }

        static Tensor Frequencies(Op op, long n, double d, ScalarType? dtype, Device? device)
        {
            if (n <= 0) throw new ArgumentException($"torch.fft: n must be positive, got {n}");
            if (!(d != 0) || !double.IsFinite(d)) throw new ArgumentException($"torch.fft: the sample spacing d must be finite and nonzero, got {d}");
            return op.Call(n, d, Arg.Kw("dtype", dtype), Arg.Kw("device", device));
        }

        // libtorch's own message for a bad norm lists the choices too, but only after dispatch; this names the argument.
        static void CheckNorm(string? norm)
        {
            if (norm is null or "backward" or "ortho" or "forward") return;
            throw new ArgumentException($"torch.fft: norm must be \"backward\", \"ortho\" or \"forward\", got \"{norm}\"");
        }
    }
}
