using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>How a set of element vectors is reduced to one vector (the only place order could leak in, and it cannot).</summary>
public enum SetPooling { Sum, Mean, Max }

/// <summary>DeepSets (Zaheer et al. 2017): ρ(pool_i φ(x_i)). Input (N, set size, InputDim) → (N, Classes).</summary>
public sealed record DeepSetsConfig(
    long InputDim = 5,
    long Classes = 10,
    long Hidden = 64,
    int PhiLayers = 2,
    int RhoLayers = 2,
    [property: Ablation("the permutation-invariant pooling")] SetPooling Pooling = SetPooling.Sum,
    [property: Ablation("elementwise activation", "relu", "gelu", "tanh")] string Activation = "relu") : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new DeepSets(this);
    public IModelConfig For(ISyntheticTask task) => this with { InputDim = TaskShape.Of(task).Features, Classes = task.NumClasses };
}

/// <summary>φ applied to every element, a symmetric pooling, then ρ.</summary>
public sealed class DeepSets : Module<Tensor, Tensor>
{
    public readonly DeepSetsConfig Config;
    public readonly Sequential phi, rho;

    public DeepSets(DeepSetsConfig c)
    {
        Config = c;
        phi = register_module("phi", Stack(c.InputDim, c.Hidden, c.Hidden, c.PhiLayers, c.Activation, finalActivation: true));
        rho = register_module("rho", Stack(c.Hidden, c.Hidden, c.Classes, c.RhoLayers, c.Activation, finalActivation: false));
    }

    internal static Sequential Stack(long input, long hidden, long output, int layers, string activation, bool finalActivation)
    {
        var s = new Sequential();
        for (int i = 0; i < layers; i++)
        {
            s.Append(new Linear(i == 0 ? input : hidden, i == layers - 1 ? output : hidden));
            if (i < layers - 1 || finalActivation) s.Append(new Activation(activation, Activations.Get(activation)));
        }
        return s;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = phi.call(x);
        var pooled = Config.Pooling switch
        {
            SetPooling.Sum => h.sum(1),
            SetPooling.Mean => h.mean(1),
            _ => h.amax(1),
        };
        return rho.call(Intermediate("pooled", pooled)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Set Transformer (Lee et al. 2019): attention blocks without positions (SAB, or ISAB with inducing
/// points) are permutation-equivariant; pooling by multi-head attention to learned seeds (PMA) makes
/// the output invariant. Input (N, set size, InputDim) → (N, Classes).
/// </summary>
public sealed record SetTransformerConfig(
    long InputDim = 5,
    long Classes = 10,
    long Dim = 64,
    int Heads = 4,
    int Blocks = 2,
    [property: Ablation("inducing points per block (0: full self-attention, SAB)", 0, 4)] int InducingPoints = 0,
    [property: Ablation("pool by attention to a learned seed (PMA) or by mean")] bool AttentionPooling = true,
    [property: Ablation("remove the set-attention blocks (a DeepSets-like baseline)")] bool Attention = true,
    [property: Ablation("swap or remove the normalisation")] NormKind Norm = NormKind.LayerNorm) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new SetTransformer(this);
    public IModelConfig For(ISyntheticTask task) => this with { InputDim = TaskShape.Of(task).Features, Classes = task.NumClasses };
}

/// <summary>MAB(X, Y) = H + FFN(norm(H)), H = X + attn(norm(X), Y): attention of a set X to a set Y (pre-norm).</summary>
public sealed class AttentionBlock : Module<Tensor, Tensor, Tensor>
{
    public readonly Module<Tensor, Tensor> norm_q, norm_kv, norm_ffn;
    public readonly MultiHeadAttention attn;
    public readonly MLP mlp;

    public AttentionBlock(long dim, int heads, NormKind norm)
    {
        norm_q = register_module("norm_q", Norm.Create(norm, dim));
        norm_kv = register_module("norm_kv", Norm.Create(norm, dim));
        attn = register_module("attn", new MultiHeadAttention(dim, heads));
        norm_ffn = register_module("norm_ffn", Norm.Create(norm, dim));
        mlp = register_module("mlp", new MLP(dim, 2 * dim, activation: "relu"));
    }

    public override Tensor forward(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var h = x + attn.call(norm_q.call(x), norm_kv.call(y));
        return (h + mlp.call(norm_ffn.call(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>SAB (inducing = 0): MAB(X, X). ISAB: H = MAB(I, X) for m learned points I, then MAB(X, H) — O(n·m) instead of O(n²).</summary>
public sealed class SetAttentionBlock : Module<Tensor, Tensor>
{
    public readonly AttentionBlock mab;
    public readonly AttentionBlock? induce;
    public readonly Tensor? inducing_points;

    public SetAttentionBlock(long dim, int heads, int inducing, NormKind norm)
    {
        mab = register_module("mab", new AttentionBlock(dim, heads, norm));
        if (inducing > 0)
        {
            induce = register_module("induce", new AttentionBlock(dim, heads, norm));
            inducing_points = register_parameter("inducing_points", init.xavier_uniform_(empty(1, inducing, dim)));
        }
    }

    public override Tensor forward(Tensor x)
    {
        if (induce is null) return mab.call(x, x);
        using var scope = NewDisposeScope();
        var h = induce.call(inducing_points!.expand(x.size(0), -1, -1), x);
        return mab.call(x, h).MoveToOuterDisposeScope();
    }
}

public sealed class SetTransformer : Module<Tensor, Tensor>
{
    public readonly SetTransformerConfig Config;
    public readonly Linear embed, head;
    public readonly Sequential encoder;
    public readonly AttentionBlock? pma;
    public readonly Tensor? seed;

    public SetTransformer(SetTransformerConfig c)
    {
        Config = c;
        embed = register_module("embed", new Linear(c.InputDim, c.Dim));
        encoder = register_module("encoder", new Sequential());
        if (c.Attention)
            for (int i = 0; i < c.Blocks; i++) encoder.Append(new SetAttentionBlock(c.Dim, c.Heads, c.InducingPoints, c.Norm));
        if (c.AttentionPooling)
        {
            pma = register_module("pma", new AttentionBlock(c.Dim, c.Heads, c.Norm));
            seed = register_parameter("seed", init.xavier_uniform_(empty(1, 1, c.Dim)));
        }
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = encoder.call(embed.call(x));
        var pooled = pma is null ? h.mean(1) : pma.call(seed!.expand(x.size(0), -1, -1), h).squeeze(1);
        return head.call(pooled).MoveToOuterDisposeScope();
    }
}
