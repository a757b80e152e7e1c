using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Parity;

internal static partial class ParityCases
{
    // Complex inputs are built inside the forward from two real ones, so gradients flow back to real tensors
    // on both sides and complex results are compared part by part.
    static void AddSpectral()
    {
        Add("fft_fft_real", () => In(R(3, 8)), x => fft.fft(x[0]));
        Add("fft_fft_complex_ortho", () => In(R(6, 2), R(6, 2)), x => fft.fft(complex(x[0], x[1]), dim: 0, norm: "ortho"));
        Add("fft_fft_padded", () => In(R(2, 7)), x => fft.fft(x[0], n: 11));
        Add("fft_ifft_forward_norm", () => In(R(2, 8), R(2, 8)), x => fft.ifft(complex(x[0], x[1]), n: 6, norm: "forward"));
        Add("fft_round_trip", () => In(R(4, 10)), x => fft.ifft(fft.fft(x[0].to(float64))).real);
        Add("fft_rfft", () => In(R(9, 3)), x => fft.rfft(x[0], dim: 0));
        Add("fft_rfft_float64_trimmed", () => In(R(2, 8)), x => fft.rfft(x[0].to(float64), n: 5));
        Add("fft_irfft", () => In(R(3, 5), R(3, 5)), x => fft.irfft(complex(x[0], x[1])));
        Add("fft_irfft_n_ortho", () => In(R(5), R(5)), x => fft.irfft(complex(x[0], x[1]), n: 9, norm: "ortho"));
        AddMany("fft_hfft_ihfft", () => In(R(5), R(5), R(2, 6)), x => [fft.hfft(complex(x[0], x[1]), n: 8), fft.ihfft(x[2])]);
        Add("fft_fft2", () => In(R(2, 4, 6)), x => fft.fft2(x[0]));
        Add("fft_ifft2_dims", () => In(R(3, 2, 4), R(3, 2, 4)), x => fft.ifft2(complex(x[0], x[1]), dim: [0, 2], norm: "ortho"));
        Add("fft_rfft2_sized", () => In(R(3, 5, 6)), x => fft.rfft2(x[0], s: [4, 8]));
        Add("fft_irfft2", () => In(R(4, 3), R(4, 3)), x => fft.irfft2(complex(x[0], x[1])));
        AddMany("fft_fftn_rfftn", () => In(R(2, 3, 4)), x => [fft.fftn(x[0]), fft.rfftn(x[0], dim: [0, 1]), fft.ifftn(x[0], s: [3, 4], dim: [1, 2])]);
        Add("fft_irfftn", () => In(R(2, 4, 4), R(2, 4, 4)), x => fft.irfftn(complex(x[0], x[1]), s: [4, 6]));
        AddMany("fft_freqs", None, _ => [fft.fftfreq(8, 0.5), fft.rfftfreq(9), fft.fftfreq(5, dtype: float64)]);
        AddMany("fft_shift", () => In(R(3, 5)), x => [fft.fftshift(x[0]), fft.ifftshift(x[0], dim: [1])]);
        AddMany("complex_parts", () => In(R(3, 4), R(3, 4)), x =>
        {
            var z = complex(x[0], x[1]);
            return [view_as_real(z), z.real, z.imag, z.abs(), z.angle()];
        });
        Add("complex_conj", () => In(R(3, 4), R(3, 4)), x => view_as_real(complex(x[0], x[1]).conj()) * 1.0);
        Add("complex_polar", () => In(P(5), R(5)), x => polar(x[0], x[1]));
        Add("view_as_complex", () => In(R(3, 2)), x => view_as_complex(x[0]) * 2);
        Add("linalg_svdvals", () => In(R(5, 3)), x => linalg.svdvals(x[0]));
        Add("linalg_svdvals_batched", () => In(R(2, 3, 4)), x => linalg.svdvals(x[0].to(float64)));
        AddMany("linalg_matrix_norm", () => In(R(4, 3)), x => [linalg.matrix_norm(x[0]), linalg.matrix_norm(x[0], "nuc")]);
    }
}
