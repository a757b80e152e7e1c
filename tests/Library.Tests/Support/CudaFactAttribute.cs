using ArchNotebooks.Torch;

namespace Library.Tests.Support;

/// <summary>A fact that runs only where libtorch sees a CUDA device; elsewhere it is skipped with the reason printed.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
            Skip = $"CUDA not available: libtorch {torch.__version__} reports torch.cuda.is_available() == false; " +
                   "the CUDA cases run only on a machine with an NVIDIA GPU and a CUDA build of the shim";
    }
}

/// <summary>A fact about behaviour without CUDA (the error for a cuda device); skipped with the reason on GPU machines.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (torch.cuda.is_available()) Skip = "CUDA is available here: this case checks what happens when it is absent";
    }
}
