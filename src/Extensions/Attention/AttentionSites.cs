using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Attention;

/// <summary>
/// Reads every attention site of one forward pass and says what its query and key positions are.
/// Families attend over different things — patches within a frame, frames at a patch, inducing
/// points, a shortened sequence, learned decoder queries — and some fold frames or patches into the
/// batch; the rules below name those positions and fold the rows of the first input back into one
/// map. Any other module that names its weights with Intermediate("weights", ...) gets the input's
/// tokens when its map is square over them, and numbered positions otherwise.
/// </summary>
public static class AttentionSites
{
    /// <summary>Runs <paramref name="model"/> on the first item of <paramref name="input"/> (eval mode, no gradients) and returns its labelled maps.</summary>
    /// <param name="labels">A label per input position (token, element or frame).</param>
    public static AttentionMaps Of(Module<Tensor, Tensor> model, Tensor input, IReadOnlyList<string> labels)
    {
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var grad = no_grad();
            using var scope = NewDisposeScope();
            using var capture = model.capture("**.weights", "weights");
            model.call(input);
            if (capture.Keys.Count == 0)
                throw new ArgumentException($"{model.GetType().Name} has no attention layers that report weights (name them with Intermediate(\"weights\", ...))");
            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
            var layers = AttentionMaps.WeightKeys(capture).Select(key =>
            {
                var path = AttentionMaps.SitePath(key);
                var w = capture[key];
                if (w.dim() != 4) throw new ArgumentException($"'{key}' should be (batch, heads, query, key) attention weights, not [{string.Join(", ", w.shape)}]");
                var site = Describe(model, modules, path, input, labels, w.size(0), w.size(2), w.size(3));
                return new AttentionLayer(path, site.Kind, site.Queries, site.Keys, AttentionMaps.ToArrays(w, 0, site.Rows), site.Note) { OverTokens = site.OverTokens };
            }).ToList();
            return new AttentionMaps(labels, layers);
        }
        finally { model.train(wasTraining); }
    }

    /// <summary>What one site attends over. Rows: how many consecutive batch rows belong to the first input item.</summary>
    sealed record Site(string Kind, IReadOnlyList<string> Queries, IReadOnlyList<string> Keys, long Rows = 1, string? Note = null, bool OverTokens = false);

    static Site Describe(Module model, Dictionary<string, Module> modules, string path, Tensor input, IReadOnlyList<string> labels, long batchRows, long queries, long keys)
    {
        long rows = batchRows / Math.Max(input.size(0), 1);
        string first = path.Split('.')[0];
        switch (model)
        {
            case FactorizedVideoTransformer or DividedSpaceTimeTransformer:
            {
                var frames = Numbered("f", input.size(1));
                var patches = Patches(keys);
                if (first == "fusion") return new Site("fusion", frames, patches);
                if (first.StartsWith("temporal", StringComparison.Ordinal) || first.StartsWith("time", StringComparison.Ordinal))
                    return new Site("temporal", frames, frames, rows, $"mean over the {rows} patch positions");
                return new Site("spatial", patches, patches, rows, $"mean over the {rows} frames");
            }
            case SetTransformer:
            {
                var elements = labels;
                var inducing = Numbered("i", path.EndsWith("induce.attn", StringComparison.Ordinal) ? queries : keys);
                if (path.EndsWith("induce.attn", StringComparison.Ordinal)) return new Site("ISAB induce", inducing, elements);
                if (path.StartsWith("pma", StringComparison.Ordinal)) return new Site("PMA", Numbered("seed", queries), elements);
                var block = Parent(modules, path, 2);
                return block is SetAttentionBlock { induce: not null } ? new Site("ISAB", elements, inducing) : new Site("SAB", elements, elements, OverTokens: true);
            }
            case Hourglass h:
            {
                int scale = first == "bottom" ? h.Config.Stages : int.Parse(path.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
                long factor = h.Config.Downsample ? h.Config.Factor : 1;
                long group = (long)Math.Pow(factor, scale);
                var merged = Merged(labels, group, queries);
                string kind = group == 1 ? $"scale {scale} (full length)" : $"scale {scale} (1/{group} length)";
                return new Site(kind, merged, merged, OverTokens: merged.SequenceEqual(labels));
            }
            case EncoderDecoderTransformer:
            {
                var outputs = Numbered("out", queries);
                if (path.EndsWith("cross_attn", StringComparison.Ordinal)) return new Site("cross", outputs, labels);
                if (path.EndsWith("self_attn", StringComparison.Ordinal)) return new Site("decoder self", outputs, outputs);
                return new Site("encoder self", labels, labels, OverTokens: true);
            }
        }
        if (queries == labels.Count && keys == labels.Count) return new Site("self", labels, labels, rows, rows > 1 ? $"mean over {rows} rows" : null, OverTokens: rows == 1);
        return new Site(queries == keys ? "self" : "cross", Numbered("q", queries), Numbered("k", keys), rows, rows > 1 ? $"mean over {rows} rows" : null);
    }

    static Module? Parent(Dictionary<string, Module> modules, string path, int up)
    {
        var parts = path.Split('.');
        return parts.Length > up && modules.TryGetValue(string.Join('.', parts[..^up]), out var m) ? m : null;
    }

    static IReadOnlyList<string> Numbered(string prefix, long count) => Enumerable.Range(0, (int)count).Select(i => $"{prefix}{i}").ToList();

    /// <summary>Patch positions of a square frame, "r,c" (row, column), in the order PatchEmbedding flattens them.</summary>
    static IReadOnlyList<string> Patches(long count)
    {
        int side = (int)Math.Round(Math.Sqrt(count));
        return side * side == count ? Enumerable.Range(0, (int)count).Select(i => $"{i / side},{i % side}").ToList() : Numbered("p", count);
    }

    /// <summary>Labels at a coarser scale: each position stands for <paramref name="group"/> neighbouring input tokens (the tail padded with the last).</summary>
    static IReadOnlyList<string> Merged(IReadOnlyList<string> labels, long group, long count) =>
        group == 1 && count == labels.Count ? labels
        : Enumerable.Range(0, (int)count).Select(i => string.Join("·", Enumerable.Range((int)(i * group), (int)group)
            .Select(j => Math.Min(j, labels.Count - 1)).Distinct().Select(j => labels[j]))).ToList();
}
