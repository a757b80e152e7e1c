using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>Zeroes elements with probability p in training mode; identity in eval mode.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public double P { get; }
    public Dropout(double p = 0.5)
    {
        if (p < 0 || p > 1) throw new ArgumentException($"dropout probability must be in [0, 1], got {p}");
        P = p;
    }
    public override Tensor forward(Tensor x) => training && P > 0 ? F.dropout(x, P, true) : x.alias();
    protected override string ExtraRepr() => $"p={P}";
}
