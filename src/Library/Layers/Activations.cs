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
