using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

/// <summary>
/// A copy of every parameter and buffer of a module (persistent or not), so checks that train can run
/// on the user's own model and hand it back exactly as it was.
/// </summary>
internal sealed class WeightSnapshot : IDisposable
{
    readonly List<(Tensor live, Tensor saved)> pairs = new();

    public WeightSnapshot(Module model)
    {
        using var _ = no_grad();
        foreach (var t in model.parameters().Concat(model.named_buffers().Select(b => b.buffer)))
            pairs.Add((t, t.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Puts the saved values back into the same tensors (optimizers and views holding them stay valid) and clears gradients.</summary>
    public void Restore()
    {
        using var _ = no_grad();
        foreach (var (live, saved) in pairs)
        {
            live.copy_(saved);
            if (live.requires_grad) live.grad = null;
        }
    }

    public void Dispose()
    {
        foreach (var (_, saved) in pairs) saved.Dispose();
    }
}
