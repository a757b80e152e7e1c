using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>
/// A family's description as plain data: every component an ablation might remove or swap is a
/// field, so an ablation is <c>baseline with { Attention = false }</c>. Build makes a fresh model
/// (initialised from torch.manual_seed) mapping a batch input to logits.
/// </summary>
public interface IModelConfig
{
    /// <summary>A fresh model for this config: input batch → logits (N, C) or (N, T, C).</summary>
    Module<Tensor, Tensor> Build();

    /// <summary>The same config with input and output sizes (vocabulary, classes, lengths, channels) taken from a task.</summary>
    IModelConfig For(ISyntheticTask task);
}

/// <summary>A model with a training-only loss term (e.g. MoE load balancing) to add to the task loss after each forward.</summary>
public interface IAuxiliaryLoss
{
    /// <summary>The weighted auxiliary loss of the latest forward as a new tensor in the caller's scope (it carries gradients), or null when there is none.</summary>
    Tensor? AuxiliaryLoss();
}
