using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// Everything one transformer block needs, each component a switch: attention and FFN can be
/// removed, residuals dropped, the norm swapped or removed and placed before (pre-norm, Xiong et
/// al. 2020) or after (post-norm, the original Transformer) each sublayer.
/// </summary>
public sealed record BlockSpec(
    long Dim = 64,
    int Heads = 4,
    long FfnHidden = 0,
    string Activation = "gelu",
    bool Glu = false,
    NormKind Norm = NormKind.LayerNorm,
    bool PreNorm = true,
    bool Attention = true,
    bool Ffn = true,
    bool Residual = true,
    bool Causal = false,
    AttentionPattern Pattern = AttentionPattern.Dense,
    long Window = 0,
    PositionKind Position = PositionKind.None,
    long MaxLen = 0,
    double Dropout = 0,
    bool Bias = true)
{
    public long Hidden => FfnHidden > 0 ? FfnHidden : 4 * Dim;

    public MultiHeadAttention CreateAttention(bool self = true) => new(Dim, Heads,
        causal: self && Causal, pattern: self ? Pattern : AttentionPattern.Dense, window: Window,
        position: self ? Position : PositionKind.None, max_len: self ? MaxLen : 0, bias: Bias, dropout: Dropout);
}

/// <summary>One sublayer with its norm and residual: pre-norm x + f(norm(x)), post-norm norm(x + f(x)).</summary>
internal static class Sublayer
{
    public static Tensor Apply(BlockSpec spec, Module<Tensor, Tensor> norm, Tensor x, Func<Tensor, Tensor> f)
    {
        if (spec.PreNorm)
        {
            var y = f(norm.call(x));
            return spec.Residual ? x + y : y;
        }
        var z = f(x);
        return norm.call(spec.Residual ? x + z : z);
    }
}

/// <summary>Self-attention then feed-forward (either removable); the encoder layer, and a decoder-only (GPT) layer when causal.</summary>
public sealed class TransformerEncoderBlock : Module<Tensor, Tensor>
{
    public readonly BlockSpec Spec;
    public readonly MultiHeadAttention? attn;
    public readonly Module<Tensor, Tensor>? mlp;
    public readonly Module<Tensor, Tensor>? norm1, norm2;

    /// <param name="ffn">Replaces the MLP (e.g. a mixture of experts); used only when spec.Ffn is set.</param>
    public TransformerEncoderBlock(BlockSpec spec, Module<Tensor, Tensor>? ffn = null)
    {
        Spec = spec;
        if (spec.Attention)
        {
            norm1 = register_module("norm1", Norm.Create(spec.Norm, spec.Dim));
            attn = register_module("attn", spec.CreateAttention());
        }
        if (spec.Ffn)
        {
            norm2 = register_module("norm2", Norm.Create(spec.Norm, spec.Dim));
            mlp = register_module("mlp", ffn ?? new MLP(spec.Dim, spec.Hidden, activation: spec.Activation, glu: spec.Glu, dropout: spec.Dropout, bias: spec.Bias));
        }
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>With an extra attention mask (boolean keep-mask or additive bias), e.g. for padding.</summary>
    public Tensor Forward(Tensor x, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var h = x;
        if (attn is not null) h = Sublayer.Apply(Spec, norm1!, h, t => mask is null ? attn.call(t) : attn.Attend(t, null, mask));
        if (mlp is not null) h = Sublayer.Apply(Spec, norm2!, h, mlp.call);
        return (ReferenceEquals(h, x) ? x.alias() : h).MoveToOuterDisposeScope();
    }

    protected override string ExtraRepr() => $"{(Spec.PreNorm ? "pre" : "post")}-norm {Spec.Norm}" + (Spec.Residual ? "" : ", no residual");
}

/// <summary>Causal self-attention, cross-attention to an encoder's output ("memory"), then feed-forward.</summary>
public sealed class TransformerDecoderBlock : Module<Tensor, Tensor, Tensor>
{
    public readonly BlockSpec Spec;
    public readonly MultiHeadAttention? self_attn, cross_attn;
    public readonly MLP? mlp;
    public readonly Module<Tensor, Tensor>? norm1, norm2, norm3;

    public TransformerDecoderBlock(BlockSpec spec, bool crossAttention = true)
    {
        Spec = spec;
        if (spec.Attention)
        {
            norm1 = register_module("norm1", Norm.Create(spec.Norm, spec.Dim));
            self_attn = register_module("self_attn", spec.CreateAttention());
        }
        if (crossAttention)
        {
            norm2 = register_module("norm2", Norm.Create(spec.Norm, spec.Dim));
            cross_attn = register_module("cross_attn", spec.CreateAttention(self: false));
        }
        if (spec.Ffn)
        {
            norm3 = register_module("norm3", Norm.Create(spec.Norm, spec.Dim));
            mlp = register_module("mlp", new MLP(spec.Dim, spec.Hidden, activation: spec.Activation, glu: spec.Glu, dropout: spec.Dropout, bias: spec.Bias));
        }
    }

    /// <summary>x (B, L, D) attends to itself causally and to memory (B, S, D).</summary>
    public override Tensor forward(Tensor x, Tensor memory)
    {
        using var scope = NewDisposeScope();
        var h = x;
        if (self_attn is not null) h = Sublayer.Apply(Spec, norm1!, h, self_attn.call);
        if (cross_attn is not null) h = Sublayer.Apply(Spec, norm2!, h, t => cross_attn.call(t, memory));
        if (mlp is not null) h = Sublayer.Apply(Spec, norm3!, h, mlp.call);
        return (ReferenceEquals(h, x) ? x.alias() : h).MoveToOuterDisposeScope();
    }
}
