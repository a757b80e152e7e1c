using ArchNotebooks.Torch;
using Xunit;

namespace ArchNotebooks.Tests.Shared;

/// <summary>A fact that runs only where libtorch sees a CUDA device; elsewhere it is skipped with the reason printed.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = CudaAbsence.Reason;
    }
}

/// <summary>A fact about behaviour without CUDA (e.g. the error for a cuda tensor); skipped with the reason on GPU machines.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (torch.cuda.is_available()) Skip = "CUDA is available here: this case checks what happens when it is absent";
    }
}

internal static class CudaAbsence
{
    internal static string Reason =>
        $"CUDA not available: libtorch {torch.__version__} reports torch.cuda.is_available() == false " +
        $"({torch.cuda.device_count()} devices); CUDA cases run only on a machine with an NVIDIA GPU and a CUDA build of the shim";
}
