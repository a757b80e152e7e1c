using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// Shared state of Conv1d/2d/3d: weight (out, in/groups, k...) and bias, initialised as PyTorch
/// does (kaiming_uniform with a = sqrt(5); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
/// </summary>
public abstract class ConvNd : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public readonly Tensor? bias;
    public long InChannels { get; }
    public long OutChannels { get; }
    public long[] KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    protected ConvNd(long in_channels, long out_channels, long[] kernel_size, long stride, long padding, long dilation, long groups, bool bias)
    {
        if (in_channels % groups != 0 || out_channels % groups != 0)
            throw new ArgumentException($"channels ({in_channels} -> {out_channels}) must be divisible by groups ({groups})");
        InChannels = in_channels; OutChannels = out_channels; KernelSize = kernel_size;
        Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        weight = register_parameter("weight", init.kaiming_uniform_(empty(new[] { out_channels, in_channels / groups }.Concat(kernel_size).ToArray()), a: Math.Sqrt(5)));
        if (bias)
        {
            var (fanIn, _) = init.fans(weight);
            double bound = 1 / Math.Sqrt(fanIn);
            this.bias = register_parameter("bias", init.uniform_(empty(out_channels), -bound, bound));
        }
    }

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel=({string.Join(", ", KernelSize)}), stride={Stride}, padding={Padding}" +
        (Dilation != 1 ? $", dilation={Dilation}" : "") + (Groups != 1 ? $", groups={Groups}" : "") + (bias is null ? ", bias=False" : "");

    protected void CheckRank(Tensor x, int rank)
    {
        if (x.dim() != rank) throw new ArgumentException($"{GetType().Name} expects a {rank}-d input (N, C, ...), got [{string.Join(", ", x.shape)}]");
    }
}

/// <summary>1-d convolution over (N, C, L).</summary>
public sealed class Conv1d : ConvNd
{
    public Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
        : base(in_channels, out_channels, new[] { kernel_size }, stride, padding, dilation, groups, bias) { }

    public override Tensor forward(Tensor x)
    {
        CheckRank(x, 3);
        return F.conv1d(x, weight, bias, Stride, Padding, Dilation, Groups);
    }
}

/// <summary>2-d convolution over (N, C, H, W).</summary>
public sealed class Conv2d : ConvNd
{
    public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
        : base(in_channels, out_channels, new[] { kernel_size, kernel_size }, stride, padding, dilation, groups, bias) { }

    public override Tensor forward(Tensor x)
    {
        CheckRank(x, 4);
        return F.conv2d(x, weight, bias, Stride, Padding, Dilation, Groups);
    }
}

/// <summary>3-d convolution over (N, C, D, H, W), e.g. (batch, channels, time, height, width) for video.</summary>
public sealed class Conv3d : ConvNd
{
    public Conv3d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
        : base(in_channels, out_channels, new[] { kernel_size, kernel_size, kernel_size }, stride, padding, dilation, groups, bias) { }

    public override Tensor forward(Tensor x)
    {
        CheckRank(x, 5);
        return F.conv3d(x, weight, bias, Stride, Padding, Dilation, Groups);
    }
}
