using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Layers;

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
