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

/// <summary>A lookup table of vectors, N(0, 1) at init as in PyTorch.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public long NumEmbeddings { get; }
    public long Dim { get; }

    public Embedding(long num_embeddings, long embedding_dim)
    {
        NumEmbeddings = num_embeddings;
        Dim = embedding_dim;
        weight = register_parameter("weight", randn(num_embeddings, embedding_dim));
    }

    public override Tensor forward(Tensor indices) => F.embedding(indices, weight);
    protected override string ExtraRepr() => $"{NumEmbeddings}, {Dim}";
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

/// <summary>Modules applied in order; children are named "0", "1", ...</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    readonly List<Module<Tensor, Tensor>> layers = new();

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    public Sequential Append(Module<Tensor, Tensor> m)
    {
        layers.Add(register_module(layers.Count.ToString(), m));
        return this;
    }

    public int Count => layers.Count;
    public Module<Tensor, Tensor> this[int i] => layers[i];

    public override Tensor forward(Tensor x)
    {
        // Intermediate outputs belong to the caller's dispose scope, like any other op result.
        var h = x;
        foreach (var layer in layers) h = layer.call(h);
        return ReferenceEquals(h, x) ? x.alias() : h;
    }
}

/// <summary>An elementwise function as a module (ReLU, GELU, ...).</summary>
public sealed class Activation : Module<Tensor, Tensor>
{
    readonly Func<Tensor, Tensor> fn;
    public string Name { get; }
    public Activation(string name, Func<Tensor, Tensor> fn) { Name = name; this.fn = fn; }
    public override Tensor forward(Tensor x) => fn(x);
    protected override string ExtraRepr() => Name;

    public static Activation ReLU() => new("relu", x => x.relu());
    public static Activation GELU() => new("gelu", x => F.gelu(x));
    public static Activation SiLU() => new("silu", x => F.silu(x));
    public static Activation Tanh() => new("tanh", x => x.tanh());
}
