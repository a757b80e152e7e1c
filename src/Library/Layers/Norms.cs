using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>Which normalisation a block uses; None makes the norm an identity (an ablation point).</summary>
public enum NormKind { LayerNorm, RMSNorm, None }

/// <summary>Returns its input: the stand-in for a removed component.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => x.alias();
}

/// <summary>Layer normalisation over the last dimension.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public readonly Tensor? weight, bias;
    readonly long[] shape;
    readonly double eps;

    public LayerNorm(long dim, double eps = 1e-5, bool elementwise_affine = true)
    {
        shape = new[] { dim };
        this.eps = eps;
        if (elementwise_affine)
        {
            weight = register_parameter("weight", ones(dim));
            bias = register_parameter("bias", zeros(dim));
        }
    }

    public override Tensor forward(Tensor x) => F.layer_norm(x, shape, weight, bias, eps);
    protected override string ExtraRepr() => $"{shape[0]}, eps={eps}";
}

/// <summary>Root-mean-square normalisation over the last dimension (no centring, no bias).</summary>
public sealed class RMSNorm : Module<Tensor, Tensor>
{
    public readonly Tensor? weight;
    public long Dim { get; }
    public double Eps { get; }

    public RMSNorm(long dim, double eps = 1e-6, bool elementwise_affine = true)
    {
        Dim = dim;
        Eps = eps;
        if (elementwise_affine) weight = register_parameter("weight", ones(dim));
    }

    public override Tensor forward(Tensor x) => F.rms_norm(x, weight, Eps);
    protected override string ExtraRepr() => $"{Dim}, eps={Eps}";
}

/// <summary>Builds the norm a config names.</summary>
public static class Norm
{
    public static Module<Tensor, Tensor> Create(NormKind kind, long dim) => kind switch
    {
        NormKind.LayerNorm => new LayerNorm(dim),
        NormKind.RMSNorm => new RMSNorm(dim),
        NormKind.None => new Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>
/// Batch normalisation over the channel dimension (dim 1). Training mode normalises with batch
/// statistics and updates the running ones; eval mode uses the running statistics.
/// </summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    public readonly Tensor weight, bias, running_mean, running_var, num_batches_tracked;
    public long NumFeatures { get; }
    public double Momentum { get; }
    public double Eps { get; }
    readonly int expectedRank;

    protected BatchNorm(long num_features, double eps, double momentum, int expectedRank)
    {
        NumFeatures = num_features;
        Eps = eps;
        Momentum = momentum;
        this.expectedRank = expectedRank;
        weight = register_parameter("weight", ones(num_features));
        bias = register_parameter("bias", zeros(num_features));
        running_mean = register_buffer("running_mean", zeros(num_features));
        running_var = register_buffer("running_var", ones(num_features));
        num_batches_tracked = register_buffer("num_batches_tracked", zeros(new long[0], ScalarType.Int64));
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != expectedRank && !(expectedRank == 3 && x.dim() == 2))
            throw new ArgumentException($"{GetType().Name} expects a {expectedRank}-d input, got [{string.Join(", ", x.shape)}]");
        if (training)
            using (no_grad())
            using (var next = num_batches_tracked + 1) // a double scalar: add_ in place would refuse the int64 buffer
                num_batches_tracked.copy_(next);
        return F.batch_norm(x, running_mean, running_var, weight, bias, training, Momentum, Eps);
    }

    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}";
}

/// <summary>Batch norm for (N, C) or (N, C, L) inputs.</summary>
public sealed class BatchNorm1d(long num_features, double eps = 1e-5, double momentum = 0.1) : BatchNorm(num_features, eps, momentum, 3);

/// <summary>Batch norm for (N, C, H, W) inputs.</summary>
public sealed class BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1) : BatchNorm(num_features, eps, momentum, 4);

/// <summary>Batch norm for (N, C, D, H, W) inputs.</summary>
public sealed class BatchNorm3d(long num_features, double eps = 1e-5, double momentum = 0.1) : BatchNorm(num_features, eps, momentum, 5);
