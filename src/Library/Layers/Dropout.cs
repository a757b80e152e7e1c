using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>Zeroes elements with probability p in training mode; identity in eval mode.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    double p;

    /// <summary>The drop probability; settable so a training recipe can override every dropout of a model for one run.</summary>
    public double P
    {
        get => p;
        set => p = value is >= 0 and <= 1 ? value : throw new ArgumentException($"dropout probability must be in [0, 1], got {value}");
    }

    public Dropout(double p = 0.5) => P = p;
    public override Tensor forward(Tensor x) => training && P > 0 ? F.dropout(x, P, true) : x.alias();
    protected override string ExtraRepr() => $"p={P}";
}
