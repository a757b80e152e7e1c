using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>One module of a summary. FLOPs and parameters include the module's children; null FLOPs means no estimate for this kind of layer.</summary>
public sealed record LayerRow(string Name, int Depth, string Type, string OutputShape, long Parameters, double? Flops, long OutputBytes, bool Leaf);

/// <summary>
/// A Keras-style layer table from one forward pass with hooks: every module's type, output shape,
/// parameters, FLOPs (2 per multiply-add, estimated for Linear, convolutions and attention's
/// projections and matmuls) and the memory of its output; totals underneath.
/// </summary>
public sealed record LayerSummary(string Title, string InputShape, IReadOnlyList<LayerRow> Rows, long Parameters, long Trainable, double Flops, long ActivationBytes, int Unestimated)
    : IMimeRenderable
{
    public static LayerSummary Of(string name, Module<Tensor, Tensor> model, Tensor input)
    {
        var modules = model.named_modules().ToList();
        var shapes = new Dictionary<Module, string>();
        var ownFlops = new Dictionary<Module, double?>();
        var bytes = new Dictionary<Module, long>();
        var hooks = modules.Select(m => m.module.register_forward_hook((module, x, y) =>
        {
            if (y is not Tensor output) return;
            shapes[module] = "[" + string.Join(", ", output.shape) + "]";
            bytes[module] = bytes.GetValueOrDefault(module) + output.numel() * output.element_size();
            var f = OwnFlops(module, x, output);
            ownFlops[module] = ownFlops.TryGetValue(module, out var before) ? before + f : f;
        })).ToList();
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var grad = no_grad();
            using var scope = NewDisposeScope();
            model.call(input);
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
            model.train(wasTraining);
        }
        double? Inclusive(Module m) => m.named_children().Aggregate(ownFlops.GetValueOrDefault(m, 0.0), (sum, c) => sum + (Inclusive(c.module) ?? 0));
        var rows = modules.Select(m =>
        {
            bool leaf = !m.module.named_children().Any();
            return new LayerRow(m.name.Length == 0 ? name : m.name.Split('.')[^1], m.name.Length == 0 ? 0 : m.name.Count(c => c == '.') + 1,
                m.module.GetType().Name, shapes.GetValueOrDefault(m.module, "not called"), m.module.num_parameters(),
                leaf && ownFlops.TryGetValue(m.module, out var own) && own is null ? null : Inclusive(m.module), bytes.GetValueOrDefault(m.module), leaf);
        }).ToList();
        int unestimated = rows.Count(r => r.Flops is null);
        return new LayerSummary($"Summary of {name} ({model.GetType().Name})", "[" + string.Join(", ", input.shape) + "]", rows,
            model.num_parameters(), model.num_parameters(trainable_only: true), rows[0].Flops ?? 0,
            rows.Where(r => r.Leaf).Sum(r => r.OutputBytes), unestimated);
    }

    /// <summary>FLOPs of the module's own arithmetic (children are counted by their own hooks); null when a leaf with weights has no estimate.</summary>
    static double? OwnFlops(Module module, object? input, Tensor output)
    {
        switch (module)
        {
            case Linear l: return 2.0 * l.InFeatures * l.OutFeatures * (output.numel() / Math.Max(1, l.OutFeatures));
            case MultiHeadAttention a:
            {
                var (x, context) = input switch { Tensor t => (t, t), ValueTuple<Tensor, Tensor> p => (p.Item1, p.Item2), _ => (output, output) };
                if (x.dim() < 3) return null;
                double b = x.shape[0], l = x.shape[1], s = context.shape[1], d = a.Dim;
                return 2 * b * l * d * d + 2 * b * s * d * 2 * d + 2 * 2 * b * l * s * d;
            }
            case GPT { lm_head: null } g: return 2.0 * g.Config.Dim * g.Config.Classes * (output.numel() / Math.Max(1, g.Config.Classes));
        }
        if (module.named_children().Any()) return 0;
        var weight = module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
        // Lookups (token and position embeddings), norms and activations: no multiply-adds worth counting.
        if (weight is null || weight.dim() < 2 || module is Embedding || module.GetType().Name.Contains("Embedding", StringComparison.Ordinal)) return 0;
        if (weight.dim() >= 3) return 2.0 * (weight.numel() / weight.shape[0]) * output.numel();   // convolution-like: in x kernel MACs per output
        return null;
    }

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var rows = Rows.Select(r => (IEnumerable<string>)
        [
            $"<td style=\"padding-left:{10 + 14 * r.Depth}px\"><code>{HtmlText.Escape(r.Name)}</code></td>",
            $"<td style=\"text-align:left\" class=\"archnb-type\">{HtmlText.Escape(r.Type)}</td>",
            HtmlText.Escape(r.OutputShape), HtmlText.Count(r.Parameters), FormatFlops(r.Flops), Bytes(r.OutputBytes),
        ]).Append(
        [
            "<td><b>total</b></td>", "<td></td>", HtmlText.Escape("input " + InputShape),
            $"<b>{HtmlText.Count(Parameters)}</b>", $"<b>{FormatFlops(Flops)}</b>", $"<b>{Bytes(ActivationBytes)}</b>",
        ]);
        bundle[MimeBundle.Html] = HtmlText.Block($"<h4>{HtmlText.Escape(Title)}</h4>" + HtmlText.Table(["layer", "type", "output shape", "parameters", "FLOPs", "output memory"], rows, Caption));
    }

    string Caption => $"{HtmlText.Count(Parameters)} parameters ({HtmlText.Count(Trainable)} trainable); FLOPs of one forward on input {InputShape}, 2 per multiply-add, " +
        "counted for Linear, convolutions and attention (projections, QK\u1d40, AV); parameters and FLOPs include sublayers; " +
        "total output memory sums the leaf layers' outputs (what backward keeps)" + (Unestimated > 0 ? $"; {Unestimated} layer(s) without an estimate (?)" : "") + ".";

    public static string FormatFlops(double? f) => f switch
    {
        null => "?",
        >= 1e12 => FormattableString.Invariant($"{f / 1e12:0.##} T"),
        >= 1e9 => FormattableString.Invariant($"{f / 1e9:0.##} G"),
        >= 1e6 => FormattableString.Invariant($"{f / 1e6:0.##} M"),
        >= 1e3 => FormattableString.Invariant($"{f / 1e3:0.##} k"),
        _ => FormattableString.Invariant($"{f:0}"),
    };

    public static string Bytes(long b) => b switch
    {
        >= 1L << 30 => FormattableString.Invariant($"{b / (double)(1L << 30):0.##} GiB"),
        >= 1L << 20 => FormattableString.Invariant($"{b / (double)(1L << 20):0.##} MiB"),
        >= 1L << 10 => FormattableString.Invariant($"{b / 1024.0:0.##} KiB"),
        _ => FormattableString.Invariant($"{b} B"),
    };

    public override string ToString() => Title + "\n" + TextTable.Render(["layer", "type", "output shape", "parameters", "FLOPs", "output memory"],
        Rows.Select(r => (IReadOnlyList<string>)[new string(' ', 2 * r.Depth) + r.Name, r.Type, r.OutputShape, HtmlText.Count(r.Parameters), FormatFlops(r.Flops), Bytes(r.OutputBytes)])
            .Append(["total", "", "input " + InputShape, HtmlText.Count(Parameters), FormatFlops(Flops), Bytes(ActivationBytes)]).ToList()) + "\n" + Caption;
}
