using System.Numerics;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>torch.fft, complex tensors and torch.linalg beyond the parity table: known transforms, reading complex data, bad arguments.</summary>
public class SpectralTests
{
    [Fact]
    public void Rfft_of_a_cosine_has_its_energy_at_its_frequency()
    {
        using var scope = NewDisposeScope();
        const int n = 32, k = 5;
        var t = arange(n, ScalarType.Float64);
        var x = (t * (2 * Math.PI * k / n)).cos();
        var spectrum = fft.rfft(x).abs();
        Assert.Equal(n / 2 + 1, spectrum.shape[0]);
        Assert.Equal(k, spectrum.argmax().ToInt64());
        // A pure cosine puts n/2 in its bin and nothing elsewhere.
        Assert.Equal(n / 2.0, spectrum[k].ToDouble(), 9);
        Assert.True(spectrum.sum().ToDouble() - n / 2.0 < 1e-9);
        var freqs = fft.rfftfreq(n, d: 1.0 / n, dtype: ScalarType.Float64);
        Assert.Equal(k, freqs[k].ToDouble(), 12);
    }

    [Fact]
    public void Complex_data_reads_as_System_Numerics_Complex()
    {
        using var scope = NewDisposeScope();
        var z = complex(tensor(new double[] { 1, -2 }), tensor(new double[] { 0.5, 3 }));
        Assert.Equal(ScalarType.ComplexFloat64, z.dtype);
        Assert.True(z.is_complex());
        Assert.Equal([new Complex(1, 0.5), new Complex(-2, 3)], z.data<Complex>());
        var back = tensor(new[] { new Complex(1, 0.5), new Complex(-2, 3) });
        Assert.True(equal(view_as_real(back), view_as_real(z)));
        // complex64 has no .NET element type: reading it as Complex names the conversion.
        var single = z.to(complex64);
        var e = Assert.Throws<InvalidOperationException>(() => single.data<Complex>());
        TensorAssert.MessageMentions(e, "complex64", "complex128");
    }

    [Fact]
    public void Inverse_transforms_undo_forward_ones()
    {
        using var scope = NewDisposeScope();
        var x = randn([3, 10], ScalarType.Float64);
        Assert.True(allclose(fft.irfft(fft.rfft(x), n: 10), x, atol: 1e-12));
        Assert.True(allclose(fft.ifft(fft.fft(x, norm: "ortho"), norm: "ortho").real, x, atol: 1e-12));
        Assert.True(allclose(fft.irfft2(fft.rfft2(x), s: [3, 10]), x, atol: 1e-12));
    }

    [Fact]
    public void Svdvals_of_a_matrix_built_from_known_singular_values_returns_them()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // Orthonormal factors from the SVD of random matrices; scaling U's columns by s sets the singular values.
        var q1 = linalg.svd(randn([5, 5], ScalarType.Float64)).U;
        var q2 = linalg.svd(randn([3, 3], ScalarType.Float64)).Vh;
        var s = tensor(new double[] { 7, 2, 0.5 });
        var a = (q1.narrow(1, 0, 3) * s).matmul(q2);
        Assert.Equal([7, 2, 0.5], linalg.svdvals(a).data<double>().Select(v => Math.Round(v, 10)));
        var (u, sv, vh) = linalg.svd(a, full_matrices: false);
        Assert.True(allclose((u * sv).matmul(vh), a, atol: 1e-10));
    }

    [Fact]
    public void Bad_arguments_name_the_problem()
    {
        using var scope = NewDisposeScope();
        var x = randn(8);
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => fft.fft(x, norm: "unitary")), "norm", "unitary", "ortho");
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => fft.rfft(x, n: 0)), "n must be positive");
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => fft.fft2(randn(2, 4), s: [4], dim: [0, 1])), "1 sizes", "2 axes");
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => fft.rfftfreq(8, d: 0)), "spacing", "nonzero");
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => linalg.svdvals(x)), "matrix", "[8]");
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => x.view_as_complex()), "last axis of size 2");
        TensorAssert.MessageMentions(Assert.Throws<ArgumentException>(() => x.imag), "complex");
        TensorAssert.MessageMentions(Assert.Throws<TorchException>(() => fft.rfft(complex(x, x))), "rfft");
    }
}
