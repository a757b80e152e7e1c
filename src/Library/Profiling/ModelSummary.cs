using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Profiling;

/// <summary>One module of a summary. FLOPs and parameters include the module's children; null FLOPs means no estimate for this kind of layer.</summary>
public sealed record LayerRow(string Name, int Depth, string Type, string OutputShape, long Parameters, double? Flops, long OutputBytes, bool Leaf);

/// <summary>
/// What one forward pass with hooks sees of a model, Keras-style: every module's type, output shape,
/// parameters, FLOPs (see <see cref="Profiling.Flops"/>) and the memory of its output; totals for the model.
/// </summary>
/// <param name="Model">The name the rows call the root module.</param>
/// <param name="ActivationBytes">The leaf layers' outputs summed: what backward keeps.</param>
/// <param name="Unestimated">Rows without a FLOPs estimate.</param>
public sealed record ModelSummary(string Model, string ModelType, string InputShape, IReadOnlyList<LayerRow> Rows,
    long Parameters, long Trainable, double Flops, long ActivationBytes, int Unestimated)
{
    /// <summary>Runs <paramref name="model"/> once on <paramref name="input"/> in eval mode without gradients; its mode is restored.</summary>
    public static ModelSummary Of(string name, Module<Tensor, Tensor> model, Tensor input)
    {
        var modules = model.named_modules().ToList();
        var shapes = new Dictionary<Module, string>();
        var ownFlops = new Dictionary<Module, double?>();
        var bytes = new Dictionary<Module, long>();
        var hooks = modules.Select(m => m.module.register_forward_hook((module, x, y) =>
        {
            if (y is not Tensor output) return;
            shapes[module] = Shape(output);
            bytes[module] = bytes.GetValueOrDefault(module) + output.numel() * output.element_size();
            var f = Profiling.Flops.Own(module, x, output);
            // A module called twice (a shared layer) costs twice.
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
            var (rowName, depth) = Place(m.name, name);
            return new LayerRow(rowName, depth, m.module.GetType().Name, shapes.GetValueOrDefault(m.module, "not called"), m.module.num_parameters(),
                leaf && ownFlops.TryGetValue(m.module, out var own) && own is null ? null : Inclusive(m.module), bytes.GetValueOrDefault(m.module), leaf);
        }).ToList();
        return new ModelSummary(name, model.GetType().Name, Shape(input), rows,
            model.num_parameters(), model.num_parameters(trainable_only: true), rows[0].Flops ?? 0,
            rows.Where(r => r.Leaf).Sum(r => r.OutputBytes), rows.Count(r => r.Flops is null));
    }

    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>A row's short name and nesting depth from its dotted path; the root (empty path) takes the model's name.</summary>
    internal static (string Name, int Depth) Place(string path, string root) =>
        path.Length == 0 ? (root, 0) : (path.Split('.')[^1], path.Count(c => c == '.') + 1);
}
