using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

// A transformer in one file, in nanoGPT's order: the config, the MLP, the block, the trunk, then the
// two models built on it (GPT and the encoder classifier). The config travels whole into every piece,
// so a new switch is one field here and the lines that read it. Multi-head attention itself, positions
// and norms are shared with other families and live in Layers/.

/// <summary>How a sequence of vectors becomes one vector for classification.</summary>
public enum Pooling { Mean, Max, First }

/// <summary>
/// A transformer as data (nanoGPT's GPTConfig with x-transformers' switches). Token inputs when
/// Vocab &gt; 0, otherwise vectors of InputDim features. PerToken gives (N, T, Classes) logits from a
/// <see cref="GPT"/>; otherwise an <see cref="EncoderClassifier"/> pools to (N, Classes). Families that
/// stack blocks of their own (hourglass, video, encoder–decoder) describe those blocks with this
/// config too; they leave the embedding and head fields at their defaults.
/// </summary>
public sealed record TransformerConfig(
    long Vocab = 16,
    long InputDim = 0,
    long Classes = 16,
    long MaxLen = 64,
    bool PerToken = true,
    int Layers = 2,
    long Dim = 64,
    int Heads = 4,
    long FfnHidden = 0,
    [property: Ablation("remove self-attention from every block")] bool Attention = true,
    [property: Ablation("remove the feed-forward sublayer from every block")] bool Ffn = true,
    [property: Ablation("swap or remove the normalisation")] NormKind Norm = NormKind.LayerNorm,
    [property: Ablation("norm placement: pre-norm (true) or post-norm (false)")] bool PreNorm = true,
    [property: Ablation("remove the residual connections")] bool Residual = true,
    [property: Ablation("positional scheme")] PositionKind Position = PositionKind.Learned,
    [property: Ablation("causal (decoder-only) vs bidirectional attention")] bool Causal = false,
    [property: Ablation("attention sparsity pattern (uses Window)")] AttentionPattern Pattern = AttentionPattern.Dense,
    long Window = 4,
    [property: Ablation("feed-forward activation", "relu", "gelu", "silu")] string Activation = "gelu",
    [property: Ablation("gated (GLU) feed-forward")] bool Glu = false,
    [property: Ablation("how the classifier pools the sequence")] Pooling Pooling = Pooling.Mean,
    double Dropout = 0,
    bool Bias = true,
    bool TieEmbeddings = false) : IModelConfig, IDeclaresCausality
{
    // Explicit, so the declaration is not a second config field (run-log columns, ablation points).
    bool IDeclaresCausality.IsCausal => Causal;

    public Module<Tensor, Tensor> Build() => PerToken ? new GPT(this) : new EncoderClassifier(this);

    public IModelConfig For(ISyntheticTask task)
    {
        var shape = TaskShape.Of(task);
        return this with
        {
            Vocab = shape.Vocab ?? 0,
            InputDim = shape.Vocab is null ? shape.Features : 0,
            Classes = shape.Classes,
            MaxLen = Math.Max(MaxLen, shape.MaxLength),
            PerToken = shape.PerToken,
        };
    }

    /// <summary>The nanoGPT shape: causal, pre-norm, learned positions, tied embeddings.</summary>
    public static TransformerConfig TinyGPT(long vocab, long maxLen, int layers = 2, long dim = 64, int heads = 4) =>
        new(Vocab: vocab, Classes: vocab, MaxLen: maxLen, Layers: layers, Dim: dim, Heads: heads, Causal: true, TieEmbeddings: true);

    // Derived values are internal: public properties would show up as run-log config columns and in the printed config.
    /// <summary>Width of the feed-forward hidden layer: FfnHidden, or 4·Dim as in GPT-2.</summary>
    internal long Hidden => FfnHidden > 0 ? FfnHidden : 4 * Dim;

    /// <summary>Self-attention wired by this config: causal mask, sparsity pattern, and rotary or ALiBi positions inside attention.</summary>
    public MultiHeadAttention SelfAttention() => new(Dim, Heads, causal: Causal, pattern: Pattern, window: Window,
        position: Position, max_len: MaxLen, bias: Bias, dropout: Dropout);

    /// <summary>Attention from one sequence to another (an encoder's output): no mask and no positions, since the two are not aligned.</summary>
    public MultiHeadAttention CrossAttention() => new(Dim, Heads, window: Window, bias: Bias, dropout: Dropout);

    /// <summary>The feed-forward sublayer this config describes.</summary>
    public MLP Mlp() => new(Dim, Hidden, activation: Activation, glu: Glu, dropout: Dropout, bias: Bias);
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

/// <summary>
/// Self-attention then feed-forward, each removable; the encoder layer, and a decoder-only (GPT) layer
/// when causal. Every component is a switch of the config: residuals can be dropped, the norm swapped
/// or removed and placed before (pre-norm, Xiong et al. 2020) or after (post-norm, the original
/// Transformer) each sublayer.
/// </summary>
public sealed class TransformerEncoderBlock : Module<Tensor, Tensor>
{
    public readonly TransformerConfig Config;
    public readonly MultiHeadAttention? attn;
    public readonly Module<Tensor, Tensor>? mlp;
    public readonly Module<Tensor, Tensor>? norm1, norm2;

    /// <param name="ffn">Replaces the MLP (e.g. a mixture of experts); used only when config.Ffn is set.</param>
    public TransformerEncoderBlock(TransformerConfig config, Module<Tensor, Tensor>? ffn = null)
    {
        Config = config;
        if (config.Attention)
        {
            norm1 = register_module("norm1", Norm.Create(config.Norm, config.Dim));
            attn = register_module("attn", config.SelfAttention());
        }
        if (config.Ffn)
        {
            norm2 = register_module("norm2", Norm.Create(config.Norm, config.Dim));
            mlp = register_module("mlp", ffn ?? config.Mlp());
        }
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>With an extra attention mask (boolean keep-mask or additive bias), e.g. for padding.</summary>
    public Tensor Forward(Tensor x, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var h = x;
        if (attn is not null) h = Sublayer(Config, norm1!, h, t => mask is null ? attn.call(t) : attn.Attend(t, null, mask));
        if (mlp is not null) h = Sublayer(Config, norm2!, h, mlp.call);
        return (ReferenceEquals(h, x) ? x.alias() : h).MoveToOuterDisposeScope();
    }

    /// <summary>One sublayer with its norm and residual: pre-norm x + f(norm(x)), post-norm norm(x + f(x)).</summary>
    internal static Tensor Sublayer(TransformerConfig c, Module<Tensor, Tensor> norm, Tensor x, Func<Tensor, Tensor> f)
    {
        if (c.PreNorm)
        {
            var y = f(norm.call(x));
            return c.Residual ? x + y : y;
        }
        var z = f(x);
        return norm.call(c.Residual ? x + z : z);
    }

    protected override string ExtraRepr() => $"{(Config.PreNorm ? "pre" : "post")}-norm {Config.Norm}" + (Config.Residual ? "" : ", no residual");
}

/// <summary>Token (or vector) embedding plus positions, then the blocks: the trunk shared by GPT and EncoderClassifier.</summary>
public sealed class TransformerTrunk : Module<Tensor, Tensor>
{
    public readonly Embedding? wte;
    public readonly Linear? input_proj;
    public readonly PositionalEmbedding wpe;
    public readonly Dropout drop;
    public readonly Sequential blocks;
    public readonly Module<Tensor, Tensor> norm_f;

    /// <param name="ffn">Makes the feed-forward sublayer of block i (default: the config's MLP).</param>
    public TransformerTrunk(TransformerConfig c, Func<int, Module<Tensor, Tensor>>? ffn = null)
    {
        if (c.Vocab > 0)
        {
            wte = register_module("wte", new Embedding(c.Vocab, c.Dim));
            init.normal_(wte.weight, 0, 0.02);
        }
        else if (c.InputDim > 0) input_proj = register_module("input_proj", new Linear(c.InputDim, c.Dim));
        else throw new ArgumentException("a transformer needs token inputs (Vocab > 0) or vector inputs (InputDim > 0)");
        wpe = register_module("wpe", new PositionalEmbedding(c.Position, c.MaxLen, c.Dim));
        drop = register_module("drop", new Dropout(c.Dropout));
        blocks = register_module("blocks", new Sequential());
        for (int i = 0; i < c.Layers; i++) blocks.Append(new TransformerEncoderBlock(c, c.Ffn ? ffn?.Invoke(i) : null));
        // Post-norm blocks already end in a norm; pre-norm stacks need one at the end (as in GPT-2).
        norm_f = register_module("norm_f", c.PreNorm ? Norm.Create(c.Norm, c.Dim) : new Identity());
    }

    /// <summary>(N, T) token ids or (N, T, InputDim) vectors → (N, T, Dim).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return norm_f.call(blocks.call(Embed(x))).MoveToOuterDisposeScope();
    }

    /// <summary>The input embedding with positions (and dropout): what the first block reads. Models that run the blocks one at a time (early exit) start here.</summary>
    public Tensor Embed(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = wte is not null ? wte.call(x) : input_proj!.call(x);
        return drop.call(wpe.call(h)).MoveToOuterDisposeScope();
    }
}

/// <summary>A GPT in the spirit of nanoGPT: the trunk and a linear head over every position, (N, T) → (N, T, Classes).</summary>
public sealed class GPT : Module<Tensor, Tensor>
{
    public readonly TransformerConfig Config;
    public readonly TransformerTrunk transformer;
    /// <summary>The output projection; null when tied to the token embedding (the head then reads wte.weight).</summary>
    public readonly Linear? lm_head;

    public GPT(TransformerConfig config, Func<int, Module<Tensor, Tensor>>? ffn = null)
    {
        Config = config;
        transformer = register_module("transformer", new TransformerTrunk(config, ffn));
        bool tied = config.TieEmbeddings && transformer.wte is not null && config.Classes == config.Vocab;
        if (!tied) lm_head = register_module("lm_head", new Linear(config.Dim, config.Classes, bias: false));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = transformer.call(x);
        var logits = lm_head is null ? torch.nn.functional.linear(h, transformer.wte!.weight) : lm_head.call(h);
        return logits.MoveToOuterDisposeScope();
    }
}

/// <summary>The trunk, a pooling over positions and a linear classifier: (N, T[, F]) → (N, Classes).</summary>
public sealed class EncoderClassifier : Module<Tensor, Tensor>
{
    public readonly TransformerConfig Config;
    public readonly TransformerTrunk transformer;
    public readonly Linear head;

    public EncoderClassifier(TransformerConfig config, Func<int, Module<Tensor, Tensor>>? ffn = null)
    {
        Config = config;
        transformer = register_module("transformer", new TransformerTrunk(config, ffn));
        head = register_module("head", new Linear(config.Dim, config.Classes));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = transformer.call(x);
        var pooled = Config.Pooling switch
        {
            Pooling.Mean => h.mean(1),
            Pooling.Max => h.amax(1),
            _ => h.select(1, 0),
        };
        return head.call(pooled).MoveToOuterDisposeScope();
    }
}
