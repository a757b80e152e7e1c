using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Families;

/// <summary>
/// A rotation-equivariant CNN on the group C4 of quarter turns (Cohen and Welling 2016): a lifting
/// convolution, group convolutions over (channel, rotation) feature maps, and pooling over rotations
/// and space that makes the logits invariant. Equivariant = false builds a plain CNN of about the
/// same parameter count (width 2·Hidden) as the baseline. Input (N, C, H, W) → (N, Classes).
/// </summary>
public sealed record C4Config(
    long InChannels = 1,
    long Classes = 4,
    long Hidden = 8,
    int Layers = 2,
    long Kernel = 3,
    [property: Ablation("rotation-equivariant group convolutions vs a plain CNN of equal parameters")] bool Equivariant = true,
    [property: Ablation("how rotations are pooled into an invariant", "max", "mean")] string GroupPooling = "max") : IModelConfig
{
    public Module<Tensor, Tensor> Build() => Equivariant ? new C4Network(this) : new PlainCnn(this);
    public IModelConfig For(ISyntheticTask task) => this with { InChannels = task.InputShape()[0], Classes = task.NumClasses };
}

/// <summary>Quarter turns of the last two dimensions, counter-clockwise like torch.rot90(t, k, (-2, -1)).</summary>
public static class C4
{
    public static Tensor Rotate(Tensor t, int k)
    {
        k = ((k % 4) + 4) % 4;
        return k switch
        {
            0 => t.alias(),
            1 => Turn(t),
            2 => t.flip(-2, -1),
            _ => Turn(t.flip(-2, -1)),
        };
    }

    /// <summary>A per-channel bias repeated for the 4 rotation slices of each channel: (C) → (C·4).</summary>
    public static Tensor PerRotation(Tensor bias)
    {
        using var column = bias.unsqueeze(1);
        using var expanded = column.expand(bias.size(0), 4);
        return expanded.reshape(-1);
    }

    static Tensor Turn(Tensor t)
    {
        using var flipped = t.flip(-1);
        return flipped.transpose(-2, -1);
    }
}

/// <summary>Lifts an image to C4: (N, Cin, H, W) → (N, Cout, 4, H, W), the r-th slice made with the filters turned r times.</summary>
public sealed class LiftingConv : Module<Tensor, Tensor>
{
    public readonly Tensor weight, bias;
    readonly long padding;

    public LiftingConv(long in_channels, long out_channels, long kernel)
    {
        weight = register_parameter("weight", init.kaiming_uniform_(empty(out_channels, in_channels, kernel, kernel), a: Math.Sqrt(5)));
        bias = register_parameter("bias", zeros(out_channels));
        padding = kernel / 2;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long cout = weight.size(0);
        var filters = stack(Enumerable.Range(0, 4).Select(r => C4.Rotate(weight, r)).ToArray(), 1).flatten(0, 1);
        var y = F.conv2d(x, filters, C4.PerRotation(bias), 1, padding);
        return y.view(x.size(0), cout, 4, y.size(-2), y.size(-1)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// C4 → C4 convolution: (N, Cin, 4, H, W) → (N, Cout, 4, H, W). The filter for output rotation r
/// is the base filter turned r times with its rotation axis rolled by r, so turning the input
/// turns the output and rolls its rotation axis by one.
/// </summary>
public sealed class GroupConv : Module<Tensor, Tensor>
{
    public readonly Tensor weight, bias;
    readonly long padding;

    public GroupConv(long in_channels, long out_channels, long kernel)
    {
        weight = register_parameter("weight", init.kaiming_uniform_(empty(out_channels, in_channels * 4, kernel, kernel), a: Math.Sqrt(5)).view(out_channels, in_channels, 4, kernel, kernel));
        bias = register_parameter("bias", zeros(out_channels));
        padding = kernel / 2;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long cout = weight.size(0), cin = weight.size(1), k = weight.size(-1);
        var filters = stack(Enumerable.Range(0, 4).Select(r => C4.Rotate(weight.roll(r, 2), r)).ToArray(), 1)
            .reshape(cout * 4, cin * 4, k, k);
        var y = F.conv2d(x.flatten(1, 2), filters, C4.PerRotation(bias), 1, padding);
        return y.view(x.size(0), cout, 4, y.size(-2), y.size(-1)).MoveToOuterDisposeScope();
    }
}

/// <summary>Lifting conv, group convs with ReLU, then pooling over rotations and space, then a linear head.</summary>
public sealed class C4Network : Module<Tensor, Tensor>
{
    public readonly C4Config Config;
    public readonly LiftingConv lift;
    public readonly Sequential convs;
    public readonly Linear head;

    public C4Network(C4Config c)
    {
        Config = c;
        lift = register_module("lift", new LiftingConv(c.InChannels, c.Hidden, c.Kernel));
        convs = register_module("convs", new Sequential());
        for (int i = 1; i < c.Layers; i++)
        {
            convs.Append(Activation.ReLU());
            convs.Append(new GroupConv(c.Hidden, c.Hidden, c.Kernel));
        }
        head = register_module("head", new Linear(c.Hidden, c.Classes));
    }

    /// <summary>The equivariant feature map (N, Hidden, 4, H, W) before pooling.</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        return convs.call(lift.call(x)).relu().MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var features = Intermediate("features", Features(x));
        var overRotations = Config.GroupPooling == "mean" ? features.mean(2) : features.amax(2);
        return head.call(overRotations.flatten(2).amax(-1)).MoveToOuterDisposeScope();
    }
}

/// <summary>The non-equivariant baseline: the same depth of 3x3 convolutions at width 2·Hidden, global max pooling, linear head.</summary>
public sealed class PlainCnn : Module<Tensor, Tensor>
{
    public readonly Sequential convs;
    public readonly Linear head;

    public PlainCnn(C4Config c)
    {
        long width = 2 * c.Hidden;
        convs = register_module("convs", new Sequential());
        for (int i = 0; i < c.Layers; i++)
        {
            convs.Append(new Conv2d(i == 0 ? c.InChannels : width, width, c.Kernel, padding: c.Kernel / 2));
            convs.Append(Activation.ReLU());
        }
        head = register_module("head", new Linear(width, c.Classes));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.call(convs.call(x).flatten(2).amax(-1)).MoveToOuterDisposeScope();
    }
}
