"""torch.fft, complex views and singular values; names and meaning mirror tests/Torch.Tests/Parity/ParityCases.Spectral.cs."""
import torch

from parity_cases import c

c("fft_fft_real", lambda x: torch.fft.fft(x))
c("fft_fft_complex_ortho", lambda a, b: torch.fft.fft(torch.complex(a, b), dim=0, norm="ortho"))
c("fft_fft_padded", lambda x: torch.fft.fft(x, n=11))
c("fft_ifft_forward_norm", lambda a, b: torch.fft.ifft(torch.complex(a, b), n=6, norm="forward"))
c("fft_round_trip", lambda x: torch.fft.ifft(torch.fft.fft(x.double())).real)
c("fft_rfft", lambda x: torch.fft.rfft(x, dim=0))
c("fft_rfft_float64_trimmed", lambda x: torch.fft.rfft(x.double(), n=5))
c("fft_irfft", lambda a, b: torch.fft.irfft(torch.complex(a, b)))
c("fft_irfft_n_ortho", lambda a, b: torch.fft.irfft(torch.complex(a, b), n=9, norm="ortho"))
c("fft_hfft_ihfft", lambda a, b, x: [torch.fft.hfft(torch.complex(a, b), n=8), torch.fft.ihfft(x)])
c("fft_fft2", lambda x: torch.fft.fft2(x))
c("fft_ifft2_dims", lambda a, b: torch.fft.ifft2(torch.complex(a, b), dim=(0, 2), norm="ortho"))
c("fft_rfft2_sized", lambda x: torch.fft.rfft2(x, s=(4, 8)))
c("fft_irfft2", lambda a, b: torch.fft.irfft2(torch.complex(a, b)))
c("fft_fftn_rfftn", lambda x: [torch.fft.fftn(x), torch.fft.rfftn(x, dim=(0, 1)), torch.fft.ifftn(x, s=(3, 4), dim=(1, 2))])
c("fft_irfftn", lambda a, b: torch.fft.irfftn(torch.complex(a, b), s=(4, 6)))
c("fft_freqs", lambda: [torch.fft.fftfreq(8, 0.5), torch.fft.rfftfreq(9), torch.fft.fftfreq(5, dtype=torch.float64)])
c("fft_shift", lambda x: [torch.fft.fftshift(x), torch.fft.ifftshift(x, dim=(1,))])
c("complex_parts", lambda a, b: [torch.view_as_real(torch.complex(a, b)), torch.complex(a, b).real,
                                 torch.complex(a, b).imag, torch.complex(a, b).abs(), torch.complex(a, b).angle()])
c("complex_conj", lambda a, b: torch.view_as_real(torch.complex(a, b).conj().resolve_conj()) * 1.0)
c("complex_polar", lambda r, t: torch.polar(r, t))
c("view_as_complex", lambda x: torch.view_as_complex(x) * 2)
c("linalg_svdvals", lambda x: torch.linalg.svdvals(x))
c("linalg_svdvals_batched", lambda x: torch.linalg.svdvals(x.double()))
c("linalg_matrix_norm", lambda x: [torch.linalg.matrix_norm(x), torch.linalg.matrix_norm(x, "nuc")])
