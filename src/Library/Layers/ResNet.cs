using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// The basic ResNet block (He et al. 2016): relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)), where the
/// shortcut is a 1x1 convolution when the stride or channel count changes. residual = false drops the skip.
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    public readonly Conv2d conv1, conv2;
    public readonly BatchNorm2d bn1, bn2;
    public readonly Sequential? shortcut;
    public bool UseResidual { get; }

    public ResidualBlock(long in_channels, long out_channels, long stride = 1, bool residual = true)
    {
        UseResidual = residual;
        conv1 = register_module("conv1", new Conv2d(in_channels, out_channels, 3, stride, 1, bias: false));
        bn1 = register_module("bn1", new BatchNorm2d(out_channels));
        conv2 = register_module("conv2", new Conv2d(out_channels, out_channels, 3, 1, 1, bias: false));
        bn2 = register_module("bn2", new BatchNorm2d(out_channels));
        if (residual && (stride != 1 || in_channels != out_channels))
            shortcut = register_module("shortcut", new Sequential(new Conv2d(in_channels, out_channels, 1, stride, bias: false), new BatchNorm2d(out_channels)));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = bn2.call(conv2.call(bn1.call(conv1.call(x)).relu()));
        if (UseResidual) h = h + (shortcut is null ? x : shortcut.call(x));
        return h.relu().MoveToOuterDisposeScope();
    }

    protected override string ExtraRepr() => UseResidual ? "" : "no residual";
}

/// <summary>
/// A small ResNet for (N, C, H, W) images: a 3x3 stem, one stage per width (each after the first halves
/// the resolution), global average pooling and a linear classifier.
/// </summary>
public sealed class SmallResNet : Module<Tensor, Tensor>
{
    public readonly Sequential stem, stages;
    public readonly GlobalPool pool;
    public readonly Linear head;

    public SmallResNet(long in_channels, long num_classes, long[]? widths = null, int blocks_per_stage = 1, bool residual = true)
    {
        widths ??= new long[] { 16, 32, 64 };
        stem = register_module("stem", new Sequential(new Conv2d(in_channels, widths[0], 3, 1, 1, bias: false), new BatchNorm2d(widths[0]), Activation.ReLU()));
        stages = new Sequential();
        long channels = widths[0];
        for (int s = 0; s < widths.Length; s++)
            for (int b = 0; b < blocks_per_stage; b++)
            {
                stages.Append(new ResidualBlock(channels, widths[s], stride: s > 0 && b == 0 ? 2 : 1, residual));
                channels = widths[s];
            }
        register_module("stages", stages);
        pool = register_module("pool", new GlobalPool("avg"));
        head = register_module("head", new Linear(channels, num_classes));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.call(pool.call(stages.call(stem.call(x)))).MoveToOuterDisposeScope();
    }
}
