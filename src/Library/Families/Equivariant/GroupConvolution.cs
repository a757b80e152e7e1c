using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Families;

/// <summary>The symmetry group a group-convolution network is built on.</summary>
public enum SymmetryGroup
{
    /// <summary>The 4 quarter turns.</summary>
    C4,
    /// <summary>The 8 symmetries of the square: quarter turns, and quarter turns after a mirror flip.</summary>
    D4,
}

/// <summary>
/// A rotation-equivariant CNN on the group C4 of quarter turns (Cohen and Welling 2016), or on D4,
/// which adds reflections: a lifting convolution, group convolutions over (channel, group element)
/// feature maps, and pooling over the group and space that makes the logits invariant.
/// Equivariant = false builds a plain CNN of about the same parameter count (width 2·Hidden) as the
/// baseline. Input (N, C, H, W) → (N, Classes).
/// </summary>
public sealed record C4Config(
    long InChannels = 1,
    long Classes = 4,
    long Hidden = 8,
    int Layers = 2,
    long Kernel = 3,
    [property: Ablation("rotation-equivariant group convolutions vs a plain CNN of equal parameters")] bool Equivariant = true,
    [property: Ablation("how rotations are pooled into an invariant", "max", "mean")] string GroupPooling = "max",
    [property: Ablation("symmetry group: rotations only (C4) or rotations and reflections (D4)")] SymmetryGroup Group = SymmetryGroup.C4) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => Equivariant ? new C4Network(this) : new PlainCnn(this);
    public IModelConfig For(ISyntheticTask task) =>
        this with { InChannels = TaskShape.Require(task, 3, "the group-convolution network", "images (channels, height, width)")[0], Classes = task.NumClasses };
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

    /// <summary>A per-channel bias repeated for the group slices of each channel (4 rotations unless told): (C) → (C·order).</summary>
    public static Tensor PerRotation(Tensor bias, long order = 4)
    {
        using var column = bias.unsqueeze(1);
        using var expanded = column.expand(bias.size(0), order);
        return expanded.reshape(-1);
    }

    static Tensor Turn(Tensor t)
    {
        using var flipped = t.flip(-1);
        return flipped.transpose(-2, -1);
    }
}

/// <summary>
/// The dihedral group D4 of the square. Element e = 4m + r acts on an image as R^r F^m: first a mirror
/// flip of the last dimension when m = 1, then r counter-clockwise quarter turns. Elements 0..3 are C4,
/// so one indexing serves both groups. Since F R = R⁻¹ F, (r₁, m₁)(r₂, m₂) = (r₁ + (−1)^m₁ r₂, m₁ + m₂).
/// </summary>
public static class D4
{
    public static int Order(SymmetryGroup group) => group == SymmetryGroup.D4 ? 8 : 4;

    /// <summary>The image (or filter) acted on by group element e, on its last two dimensions.</summary>
    public static Tensor Transform(Tensor t, int e)
    {
        if (e is < 0 or > 7) throw new ArgumentOutOfRangeException(nameof(e), e, "a D4 element is 0..7");
        if (e < 4) return C4.Rotate(t, e);
        using var flipped = t.flip(-1);
        return C4.Rotate(flipped, e - 4);
    }

    public static int Compose(int a, int b)
    {
        int r1 = a % 4, m1 = a / 4, r2 = b % 4, m2 = b / 4;
        return 4 * ((m1 + m2) % 2) + (((r1 + (m1 == 0 ? r2 : -r2)) % 4) + 4) % 4;
    }

    /// <summary>Reflections are their own inverses; a rotation's inverse turns back.</summary>
    public static int Inverse(int e) => e >= 4 ? e : (4 - e) % 4;

    /// <summary>Index h ↦ g⁻¹h over a group of the given order: a feature map's group axis after the input is acted on by g.</summary>
    public static Tensor GroupAxisPermutation(int g, int order, Device? device = null) =>
        tensor(Enumerable.Range(0, order).Select(h => (long)Compose(Inverse(g), h)).ToArray(), new long[] { order }, device: device);

    /// <summary>
    /// What an equivariant feature map (N, C, order, H, W) becomes when the input is acted on by g:
    /// every slice transformed by g, and slice h taken from slice g⁻¹h.
    /// </summary>
    public static Tensor ActOnFeatures(Tensor features, int g)
    {
        using var scope = NewDisposeScope();
        var permuted = features.index_select(2, GroupAxisPermutation(g, (int)features.size(2), features.device));
        return Transform(permuted, g).MoveToOuterDisposeScope();
    }
}

/// <summary>Lifts an image to C4: (N, Cin, H, W) → (N, Cout, 4, H, W), the r-th slice made with the filters turned r times.</summary>
public sealed class LiftingConv : Module<Tensor, Tensor>
{
    public readonly Tensor weight, bias;
    readonly long padding;
    readonly int order;

    /// <summary>With group D4 the output has 8 slices, the e-th made with the filters acted on by D4 element e.</summary>
    public LiftingConv(long in_channels, long out_channels, long kernel, SymmetryGroup group = SymmetryGroup.C4)
    {
        order = D4.Order(group);
        weight = register_parameter("weight", init.kaiming_uniform_(empty(out_channels, in_channels, kernel, kernel), a: Math.Sqrt(5)));
        bias = register_parameter("bias", zeros(out_channels));
        padding = kernel / 2;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long cout = weight.size(0);
        var filters = stack(Enumerable.Range(0, order).Select(e => D4.Transform(weight, e)).ToArray(), 1).flatten(0, 1);
        var y = F.conv2d(x, filters, C4.PerRotation(bias, order), 1, padding);
        return y.view(x.size(0), cout, order, y.size(-2), y.size(-1)).MoveToOuterDisposeScope();
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
    readonly int order;

    /// <summary>With group D4: (N, Cin, 8, H, W) → (N, Cout, 8, H, W), the filter for output g acted on by g with its group axis read at g⁻¹h.</summary>
    public GroupConv(long in_channels, long out_channels, long kernel, SymmetryGroup group = SymmetryGroup.C4)
    {
        order = D4.Order(group);
        weight = register_parameter("weight", init.kaiming_uniform_(empty(out_channels, in_channels * order, kernel, kernel), a: Math.Sqrt(5)).view(out_channels, in_channels, order, kernel, kernel));
        bias = register_parameter("bias", zeros(out_channels));
        padding = kernel / 2;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long cout = weight.size(0), cin = weight.size(1), k = weight.size(-1);
        // For C4 the permutation h ↦ g⁻¹h is a roll of the rotation axis by g.
        var filters = stack(Enumerable.Range(0, order).Select(g => D4.Transform(weight.index_select(2, D4.GroupAxisPermutation(g, order, weight.device)), g)).ToArray(), 1)
            .reshape(cout * order, cin * order, k, k);
        var y = F.conv2d(x.flatten(1, 2), filters, C4.PerRotation(bias, order), 1, padding);
        return y.view(x.size(0), cout, order, y.size(-2), y.size(-1)).MoveToOuterDisposeScope();
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
        lift = register_module("lift", new LiftingConv(c.InChannels, c.Hidden, c.Kernel, c.Group));
        convs = register_module("convs", new Sequential());
        for (int i = 1; i < c.Layers; i++)
        {
            convs.Append(Activation.ReLU());
            convs.Append(new GroupConv(c.Hidden, c.Hidden, c.Kernel, c.Group));
        }
        head = register_module("head", new Linear(c.Hidden, c.Classes));
    }

    /// <summary>The equivariant feature map (N, Hidden, order, H, W) before pooling (order 4 for C4, 8 for D4).</summary>
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
