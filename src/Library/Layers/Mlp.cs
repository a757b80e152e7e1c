using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>Elementwise activations by the names configs use ("relu", "gelu", "gelu_tanh", "silu", "tanh", "identity").</summary>
public static class Activations
{
    public static readonly string[] Names = { "relu", "gelu", "gelu_tanh", "silu", "tanh", "identity" };

    public static Func<Tensor, Tensor> Get(string name) => name switch
    {
        "relu" => x => x.relu(),
        "gelu" => x => F.gelu(x),
        "gelu_tanh" => x => F.gelu(x, "tanh"),
        "silu" => x => F.silu(x),
        "tanh" => x => x.tanh(),
        "identity" => x => x.alias(),
        _ => throw new ArgumentException($"unknown activation '{name}' (known: {string.Join(", ", Names)})"),
    };
}

/// <summary>
/// Two-layer feed-forward network: down(act(fc(x))). With glu, fc produces two halves and the
/// hidden state is act(a) * b (SwiGLU with silu, GEGLU with gelu; Shazeer 2020).
/// </summary>
public sealed class MLP : Module<Tensor, Tensor>
{
    public readonly Linear fc, proj;
    public readonly Dropout dropout;
    readonly Func<Tensor, Tensor> act;
    public string ActivationName { get; }
    public bool Glu { get; }

    public MLP(long dim, long hidden, long? out_dim = null, string activation = "gelu", bool glu = false, double dropout = 0, bool bias = true)
    {
        ActivationName = activation;
        act = Activations.Get(activation);
        Glu = glu;
        fc = register_module("fc", new Linear(dim, glu ? 2 * hidden : hidden, bias));
        proj = register_module("proj", new Linear(hidden, out_dim ?? dim, bias));
        this.dropout = register_module("dropout", new Dropout(dropout));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = fc.call(x);
        if (Glu)
        {
            var halves = h.chunk(2, -1);
            h = act(halves[0]) * halves[1];
        }
        else h = act(h);
        return dropout.call(proj.call(h)).MoveToOuterDisposeScope();
    }

    protected override string ExtraRepr() => $"{ActivationName}{(Glu ? ", glu" : "")}";
}

/// <summary>x + f(x): wraps any shape-preserving module in a residual connection.</summary>
public sealed class Residual : Module<Tensor, Tensor>
{
    public readonly Module<Tensor, Tensor> inner;
    public Residual(Module<Tensor, Tensor> inner) { this.inner = register_module("inner", inner); }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x + inner.call(x)).MoveToOuterDisposeScope();
    }
}
