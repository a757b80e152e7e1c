using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Interpretability;
using ArchNotebooks.Library.Modules;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Attention;

/// <summary>
/// One attention site's maps: its module path and kind ("self", "spatial", "cross"...), the labels of
/// its query and key positions (which need not be the input tokens: patches, frames, inducing points,
/// a coarser scale), and the weights [head][query][key]. Note says how rows were folded (e.g. the mean
/// over the frames of one clip).
/// </summary>
public sealed record AttentionLayer(string Name, string Kind, IReadOnlyList<string> Queries, IReadOnlyList<string> Keys, double[][][] Weights, string? Note = null)
{
    /// <summary>Whether the positions are the input tokens themselves, so token patterns (induction, copy) can be scored.</summary>
    public bool OverTokens { get; init; }

    /// <summary>What the hover and the summary call it: "blocks.0.attn" or "temporal: temporal.0.attn".</summary>
    public string Title => Kind is "self" or "" ? Name : $"{Kind}: {Name}";

    /// <summary>Per head: mean distance, entropy and the known pattern it matches.</summary>
    public IReadOnlyList<HeadProfile> Profiles() => Weights.Select(w => HeadPatterns.Profile(w, OverTokens ? Queries : null)).ToList();
}

/// <summary>
/// Post-softmax attention weights of every attention site and head for one input: shown as a
/// layers × heads grid of heatmaps, a large map per head behind a selector, attention rollout
/// (Abnar &amp; Zuidema 2020) when every site is self-attention over the input, and a per-head summary.
/// </summary>
[TypeFormatterSource(typeof(ArchTypeFormatterSource), PreferredMimeTypes = [MimeBundle.Html, MimeBundle.PlainText])]
public sealed class AttentionMaps : IMimeRenderable
{
    /// <summary>Self-attention (or cross-attention to <paramref name="keyTokens"/>) over the same tokens at every layer; weights are [layer][head][query][key].</summary>
    public AttentionMaps(IReadOnlyList<string> tokens, double[][][][] weights, IReadOnlyList<string>? keyTokens = null, IReadOnlyList<string>? layerNames = null)
        : this(tokens, weights.Select((w, l) => new AttentionLayer(layerNames?[l] ?? $"layer {l}", keyTokens is null ? "self" : "cross", tokens, keyTokens ?? tokens, w)
            { OverTokens = keyTokens is null }).ToList())
    { }

    /// <summary>Sites with their own query and key positions; <paramref name="tokens"/> are the input's.</summary>
    public AttentionMaps(IReadOnlyList<string> tokens, IReadOnlyList<AttentionLayer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("no attention layers were given", nameof(layers));
        foreach (var (layer, l) in layers.Select((x, i) => (x, i)))
            foreach (var head in layer.Weights)
                if (head.Length != layer.Queries.Count || head.Any(row => row.Length != layer.Keys.Count))
                    throw new ArgumentException($"layer {l} ({layer.Name}): attention is {head.Length}x{head.FirstOrDefault()?.Length ?? 0} but there are {layer.Queries.Count} query and {layer.Keys.Count} key tokens");
        Tokens = tokens;
        Sites = layers;
        bool chain = layers.All(x => x.Queries.SequenceEqual(tokens) && x.Keys.SequenceEqual(tokens) && x.Note is null);
        Rollout = chain ? AttentionRollout.Compute(Weights) : null;
    }

    /// <summary>The input's tokens (or elements, frames...), as the title lists them.</summary>
    public IReadOnlyList<string> Tokens { get; }
    /// <summary>Every attention site in forward order.</summary>
    public IReadOnlyList<AttentionLayer> Sites { get; }
    /// <summary>Key tokens of the first site (the query tokens for self-attention).</summary>
    public IReadOnlyList<string> KeyTokens => Sites[0].Keys;
    public double[][][][] Weights => Sites.Select(x => x.Weights).ToArray();
    public IReadOnlyList<string> LayerNames => Sites.Select(x => x.Name).ToList();
    /// <summary>Rollout over all layers, [query][key]; null unless every site is self-attention over the input tokens.</summary>
    public double[][]? Rollout { get; }
    public int Layers => Sites.Count;
    public int Heads => Sites.Max(l => l.Weights.Length);

    /// <summary>
    /// From per-layer weight tensors shaped (batch, heads, query, key) or (heads, query, key), as
    /// MultiHeadAttention offers them (capture "**.attn.weights"). Only batch item <paramref name="batch"/> is copied.
    /// </summary>
    public static AttentionMaps FromTensors(IReadOnlyList<Tensor> layers, IReadOnlyList<string> tokens, int batch = 0,
        IReadOnlyList<string>? keyTokens = null, IReadOnlyList<string>? layerNames = null) =>
        new(tokens, layers.Select(t => ToArrays(t, batch, 1)).ToArray(), keyTokens, layerNames);

    /// <summary>[head][query][key] for item <paramref name="item"/>: the mean of its <paramref name="rows"/> consecutive batch rows (one row unless a model folds frames or patches into the batch).</summary>
    internal static double[][][] ToArrays(Tensor t, long item, long rows)
    {
        using var scope = NewDisposeScope();
        var w = t.dim() == 4 ? t.narrow(0, item * rows, rows).mean(new long[] { 0 }) : t.dim() == 3 ? t
            : throw new ArgumentException($"attention weights must be (batch, heads, query, key) or (heads, query, key), not [{string.Join(", ", t.shape)}]");
        var s = w.shape;
        var flat = w.detach().to(CPU, ScalarType.Float64).contiguous().data<double>();
        return Enumerable.Range(0, (int)s[0]).Select(h => Enumerable.Range(0, (int)s[1])
            .Select(q => flat.AsSpan((int)((h * s[1] + q) * s[2]), (int)s[2]).ToArray()).ToArray()).ToArray();
    }

    /// <summary>From a capture of a forward pass: every captured key ending in ".weights", in capture order, named by its module path.</summary>
    public static AttentionMaps FromCapture(Capture capture, IReadOnlyList<string> tokens, int batch = 0)
    {
        var keys = WeightKeys(capture);
        return FromTensors(keys.Select(k => capture[k]).ToList(), tokens, batch, layerNames: keys.Select(SitePath).ToList());
    }

    internal static List<string> WeightKeys(Capture capture)
    {
        var keys = capture.Keys.Where(k => k.EndsWith(".weights", StringComparison.Ordinal) || k == "weights").ToList();
        if (keys.Count == 0) throw new ArgumentException($"the capture holds no attention weights (keys: {string.Join(", ", capture.Keys)}); capture \"**.weights\" around the forward pass");
        return keys;
    }

    /// <summary>The module path of a captured "path.weights" key; "(model)" when the model itself named them.</summary>
    internal static string SitePath(string key) => key == "weights" ? "(model)" : key[..^".weights".Length];

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
