using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>How a sequence of vectors becomes one vector for classification.</summary>
public enum Pooling { Mean, Max, First }

/// <summary>
/// A transformer as data (nanoGPT's GPTConfig with x-transformers' switches). Token inputs when
/// Vocab &gt; 0, otherwise vectors of InputDim features. PerToken gives (N, T, Classes) logits from a
/// <see cref="GPT"/>; otherwise an <see cref="EncoderClassifier"/> pools to (N, Classes).
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
    bool TieEmbeddings = false) : IModelConfig
{
    public BlockSpec Block => new(Dim, Heads, FfnHidden, Activation, Glu, Norm, PreNorm, Attention, Ffn, Residual,
        Causal, Pattern, Window, Position, MaxLen, Dropout, Bias);

    public Module<Tensor, Tensor> Build() => PerToken ? new GPT(this) : new EncoderClassifier(this);

    public IModelConfig For(ISyntheticTask task)
    {
        var shape = task.InputShape(task.HasGeneralizationSplit ? Split.Generalization : Split.Train);
        return this with
        {
            Vocab = task.VocabSize ?? 0,
            InputDim = task.VocabSize is null ? shape[^1] : 0,
            Classes = task.NumClasses,
            MaxLen = Math.Max(MaxLen, shape[0]),
            PerToken = task.Loss == LossKind.PerToken,
        };
    }

    /// <summary>The nanoGPT shape: causal, pre-norm, learned positions, tied embeddings.</summary>
    public static TransformerConfig TinyGPT(long vocab, long maxLen, int layers = 2, long dim = 64, int heads = 4) =>
        new(Vocab: vocab, Classes: vocab, MaxLen: maxLen, Layers: layers, Dim: dim, Heads: heads, Causal: true, TieEmbeddings: true);
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
        for (int i = 0; i < c.Layers; i++) blocks.Append(new TransformerEncoderBlock(c.Block, c.Ffn ? ffn?.Invoke(i) : null));
        // Post-norm blocks already end in a norm; pre-norm stacks need one at the end (as in GPT-2).
        norm_f = register_module("norm_f", c.PreNorm ? Norm.Create(c.Norm, c.Dim) : new Identity());
    }

    /// <summary>(N, T) token ids or (N, T, InputDim) vectors → (N, T, Dim).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = wte is not null ? wte.call(x) : input_proj!.call(x);
        h = drop.call(wpe.call(h));
        return norm_f.call(blocks.call(h)).MoveToOuterDisposeScope();
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
