using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Analysis;

/// <summary>
/// Forward hooks that hand each submodule's first floating-point tensor output to a callback as it is produced, so an
/// analysis keeps only its numbers, never the activations. The model's own output (its prediction) is left out.
/// </summary>
public sealed class LayerOutputs : IDisposable
{
    readonly List<IDisposable> hooks = new();

    public LayerOutputs(Module model, Action<string, Module, Tensor> onOutput)
    {
        var seen = new HashSet<Module>();
        foreach (var (path, module) in model.named_modules())
        {
            if (path.Length == 0) continue;
            hooks.Add(module.register_forward_hook((m, _, y) =>
            {
                if (y is Tensor t && t.dtype is (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64) && seen.Add(m))
                    onOutput(path, m, t);
            }));
        }
    }

    /// <summary>Runs <paramref name="model"/> once on <paramref name="input"/> in eval mode without gradients, restoring its mode, with <paramref name="onOutput"/> watching every layer.</summary>
    public static void Watch(Module<Tensor, Tensor> model, Tensor input, Action<string, Module, Tensor> onOutput)
    {
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var grad = no_grad();
            using var watch = new LayerOutputs(model, onOutput);
            using (NewDisposeScope()) model.call(input);
        }
        finally { model.train(wasTraining); }
    }

    public void Dispose()
    {
        foreach (var h in hooks) h.Dispose();
        hooks.Clear();
    }
}
