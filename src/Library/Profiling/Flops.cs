using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Profiling;

/// <summary>
/// Forward FLOPs of a module's own arithmetic, 2 per multiply-add, estimated from the layer's sizes and the
/// tensors one call saw: Linear, convolutions and attention's projections and matmuls. Children are not
/// included; a caller sums them (see <see cref="ModelSummary"/>).
/// </summary>
public static class Flops
{
    /// <summary>
    /// FLOPs of one call of <paramref name="module"/> on <paramref name="input"/> giving <paramref name="output"/>;
    /// 0 for containers, lookups, norms and activations; null for a leaf with weights it has no formula for.
    /// </summary>
    public static double? Own(Module module, object? input, Tensor output)
    {
        switch (module)
        {
            case Linear l: return 2.0 * l.InFeatures * l.OutFeatures * (output.numel() / Math.Max(1, l.OutFeatures));
            case MultiHeadAttention a: return Attention(a, input, output);
            case GPT { lm_head: null } g: return 2.0 * g.Config.Dim * g.Config.Classes * (output.numel() / Math.Max(1, g.Config.Classes));
        }
        if (module.named_children().Any()) return 0;
        var weight = module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
        // Lookups (token and position embeddings), norms and activations: no multiply-adds worth counting.
        if (weight is null || weight.dim() < 2 || module is Embedding || module.GetType().Name.Contains("Embedding", StringComparison.Ordinal)) return 0;
        if (weight.dim() >= 3) return 2.0 * (weight.numel() / weight.shape[0]) * output.numel();   // convolution-like: in x kernel MACs per output
        return null;
    }

    /// <summary>
    /// Queries from x (B, L, D), keys and values from the context (B, S, D): the query projection (L·D·D),
    /// key and value projections (S·D·2D), then QKᵀ and AV (L·S·D each), per batch element. Self-attention
    /// that runs sparsely scores only its layout's entries (padded rows and masked entries inside computed
    /// blocks included, since they are computed), so L·S becomes the layout's ScoreEntries.
    /// The output projection is a Linear child and counted there.
    /// </summary>
    static double? Attention(MultiHeadAttention a, object? input, Tensor output)
    {
        var (x, context) = input switch { Tensor t => (t, t), ValueTuple<Tensor, Tensor> p => (p.Item1, p.Item2), _ => (output, output) };
        if (x.dim() < 3) return null;
        double b = x.shape[0], l = x.shape[1], s = context.shape[1], d = a.Dim;
        double scores = input is Tensor && a.SparseLayout(x.shape[1]) is { } sparse ? sparse.ScoreEntries : l * s;
        return 2 * b * l * d * d + 2 * b * s * d * 2 * d + 2 * 2 * b * scores * d;
    }
}
