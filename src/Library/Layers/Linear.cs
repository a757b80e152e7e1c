using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>y = x W^T + b, initialised as in PyTorch.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public readonly Tensor? bias;
    public long InFeatures { get; }
    public long OutFeatures { get; }

    public Linear(long in_features, long out_features, bool bias = true)
    {
        if (in_features <= 0 || out_features <= 0) throw new ArgumentException($"Linear needs positive sizes, got {in_features} -> {out_features}");
        InFeatures = in_features;
        OutFeatures = out_features;
        weight = register_parameter("weight", init.kaiming_uniform_(empty(out_features, in_features), a: Math.Sqrt(5)));
        if (bias)
        {
            double bound = 1 / Math.Sqrt(in_features);
            this.bias = register_parameter("bias", init.uniform_(empty(out_features), -bound, bound));
        }
    }

    public override Tensor forward(Tensor x) => F.linear(x, weight, bias);
    protected override string ExtraRepr() => $"in={InFeatures}, out={OutFeatures}, bias={bias is not null}";
}
