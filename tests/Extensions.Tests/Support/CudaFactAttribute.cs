using ArchNotebooks.Torch;

namespace ArchNotebooks.Extensions.Tests.Support;

/// <summary>A fact that runs only where libtorch sees a CUDA device; elsewhere it is skipped with the reason printed.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = "CUDA not available: the on-GPU formatter case runs only with an NVIDIA GPU and a CUDA build of the shim";
    }
}
