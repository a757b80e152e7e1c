using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>The backward half of a parity or gradient check, defined identically in reference/parity.py.</summary>
internal static class Gradients
{
    /// <summary>
    /// Fixed weights for output k: cos(0.7 i + 0.3 k + 0.1) over the flat index i, computed by libtorch in
    /// float64 on both sides so they agree bit for bit.
    /// </summary>
    internal static Tensor Weight(Tensor output, int k)
    {
        using var i = arange(output.numel(), dtype: ScalarType.Float64);
        using var c = (i * 0.7 + (0.3 * k + 0.1)).cos();
        using var typed = c.to(output.dtype);
        return typed.reshape(output.shape);
    }

    /// <summary>d/dx of sum_k sum(out_k * w_k) over the floating outputs that require grad, for each input that
    /// requires grad (other slots stay null, as do inputs the outputs do not depend on).</summary>
    internal static Tensor?[] OfWeightedSum(Tensor[] outputs, Tensor[] inputs)
    {
        var result = new Tensor?[inputs.Length];
        var wanted = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].requires_grad).ToArray();
        var used = Enumerable.Range(0, outputs.Length).Where(k => outputs[k].requires_grad).ToArray();
        if (wanted.Length == 0 || used.Length == 0) return result;
        var weights = used.Select(k => (Tensor?)Weight(outputs[k], k)).ToArray();
        var g = autograd.grad(used.Select(k => outputs[k]).ToArray(), wanted.Select(i => inputs[i]).ToArray(),
            weights, retain_graph: true, allow_unused: true);
        for (int j = 0; j < wanted.Length; j++) result[wanted[j]] = g[j];
        return result;
    }
}
