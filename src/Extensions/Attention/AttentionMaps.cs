using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Modules;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Attention;

/// <summary>
/// Post-softmax attention weights of every layer and head for one input, with its tokens: shown as
/// a layers × heads grid of heatmaps, a large map per head behind a selector, and attention
/// rollout (Abnar &amp; Zuidema 2020). Weights are [layer][head][query][key].
/// </summary>
[TypeFormatterSource(typeof(ArchTypeFormatterSource), PreferredMimeTypes = [MimeBundle.Html, MimeBundle.PlainText])]
public sealed class AttentionMaps : IMimeRenderable
{
    public AttentionMaps(IReadOnlyList<string> tokens, double[][][][] weights, IReadOnlyList<string>? keyTokens = null, IReadOnlyList<string>? layerNames = null)
    {
        if (weights.Length == 0) throw new ArgumentException("no attention layers were given", nameof(weights));
        KeyTokens = keyTokens ?? tokens;
        for (int l = 0; l < weights.Length; l++)
            foreach (var head in weights[l])
                if (head.Length != tokens.Count || head.Any(row => row.Length != KeyTokens.Count))
                    throw new ArgumentException($"layer {l}: attention is {head.Length}x{head.FirstOrDefault()?.Length ?? 0} but there are {tokens.Count} query and {KeyTokens.Count} key tokens");
        Tokens = tokens;
        Weights = weights;
        LayerNames = layerNames ?? Enumerable.Range(0, weights.Length).Select(l => $"layer {l}").ToList();
        Rollout = Tokens.Count == KeyTokens.Count ? AttentionRollout.Compute(weights) : null;
    }

    /// <summary>Query tokens (rows).</summary>
    public IReadOnlyList<string> Tokens { get; }
    /// <summary>Key tokens (columns); the query tokens for self-attention.</summary>
    public IReadOnlyList<string> KeyTokens { get; }
    public double[][][][] Weights { get; }
    public IReadOnlyList<string> LayerNames { get; }
    /// <summary>Rollout over all layers, [query][key]; null for cross-attention (non-square maps).</summary>
    public double[][]? Rollout { get; }
    public int Layers => Weights.Length;
    public int Heads => Weights.Max(l => l.Length);

    /// <summary>
    /// From per-layer weight tensors shaped (batch, heads, query, key) or (heads, query, key), as
    /// MultiHeadAttention offers them (capture "**.attn.weights"). Only batch item <paramref name="batch"/> is copied.
    /// </summary>
    public static AttentionMaps FromTensors(IReadOnlyList<Tensor> layers, IReadOnlyList<string> tokens, int batch = 0,
        IReadOnlyList<string>? keyTokens = null, IReadOnlyList<string>? layerNames = null)
    {
        using var scope = NewDisposeScope();
        var weights = layers.Select(t =>
        {
            var w = t.dim() == 4 ? t.select(0, batch) : t.dim() == 3 ? t : throw new ArgumentException($"attention weights must be (batch, heads, query, key) or (heads, query, key), not [{string.Join(", ", t.shape)}]");
            var s = w.shape;
            var flat = w.detach().to(CPU, ScalarType.Float64).contiguous().data<double>();
            return Enumerable.Range(0, (int)s[0]).Select(h => Enumerable.Range(0, (int)s[1])
                .Select(q => flat.AsSpan((int)((h * s[1] + q) * s[2]), (int)s[2]).ToArray()).ToArray()).ToArray();
        }).ToArray();
        return new AttentionMaps(tokens, weights, keyTokens, layerNames);
    }

    /// <summary>From a capture of a forward pass: every captured key ending in ".weights", in capture order, named by its module path.</summary>
    public static AttentionMaps FromCapture(Capture capture, IReadOnlyList<string> tokens, int batch = 0)
    {
        var keys = capture.Keys.Where(k => k.EndsWith(".weights", StringComparison.Ordinal) || k == "weights").ToList();
        if (keys.Count == 0) throw new ArgumentException($"the capture holds no attention weights (keys: {string.Join(", ", capture.Keys)}); capture \"**.weights\" around the forward pass");
        return FromTensors(keys.Select(k => capture[k]).ToList(), tokens, batch, layerNames: keys.Select(k => k[..^".weights".Length].TrimEnd('.')).ToList());
    }

    public void Render(MimeBundle bundle) => AttentionFormatter.Write(this, bundle);

    public override string ToString() => AttentionFormatter.PlainText(this);
}

/// <summary>Attention rollout: the product over layers of (I + mean over heads of A), each row renormalised.</summary>
public static class AttentionRollout
{
    /// <summary>[layer][head][query][key] → [query][key]; later layers multiply on the left (R = Ā_L ⋯ Ā_1).</summary>
    public static double[][] Compute(double[][][][] weights)
    {
        double[][]? rollout = null;
        foreach (var layer in weights)
        {
            int n = layer[0].Length;
            var a = new double[n][];
            for (int q = 0; q < n; q++)
            {
                a[q] = new double[n];
                for (int k = 0; k < n; k++) a[q][k] = layer.Average(head => head[q][k]) + (q == k ? 1 : 0);
                double sum = a[q].Sum();
                if (sum > 0) for (int k = 0; k < n; k++) a[q][k] /= sum;
            }
            rollout = rollout is null ? a : Multiply(a, rollout);
        }
        return rollout!;
    }

    static double[][] Multiply(double[][] a, double[][] b)
    {
        int n = a.Length, m = b[0].Length, inner = b.Length;
        var c = new double[n][];
        for (int i = 0; i < n; i++)
        {
            c[i] = new double[m];
            for (int k = 0; k < inner; k++)
                for (int j = 0; j < m; j++) c[i][j] += a[i][k] * b[k][j];
        }
        return c;
    }
}
