using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>
/// An encoder–decoder transformer (Vaswani et al. 2017) as data. The encoder reads the tokens
/// bidirectionally; the decoder's stream starts from one learned query per output position (it never
/// sees the tokens) and reads the encoder's output only through cross-attention. Decoding is thus
/// non-autoregressive — the synthetic tasks hand a model its input, not shifted targets to teacher-force
/// on — and removing cross-attention leaves a decoder blind to the input, which makes that ablation sharp.
/// (N, T) tokens → (N, T, Classes) logits, or (N, Classes) pooled when PerToken is false.
/// </summary>
public sealed record EncoderDecoderConfig(
    long Vocab = 16,
    long Classes = 16,
    long MaxLen = 64,
    bool PerToken = true,
    int EncoderLayers = 1,
    int DecoderLayers = 1,
    long Dim = 64,
    int Heads = 4,
    long FfnHidden = 0,
    [property: Ablation("decoder cross-attention to the encoder (without it the decoder cannot see the input)")] bool CrossAttention = true,
    [property: Ablation("causal self-attention among the decoder's queries")] bool CausalDecoder = true,
    [property: Ablation("swap or remove the normalisation")] NormKind Norm = NormKind.LayerNorm,
    [property: Ablation("norm placement: pre-norm (true) or post-norm (false)")] bool PreNorm = true,
    [property: Ablation("encoder positional scheme", PositionKind.Learned, PositionKind.Sinusoidal, PositionKind.Rotary, PositionKind.None)]
    PositionKind Position = PositionKind.Learned) : IModelConfig
{
    // Methods, not properties: a nested TransformerConfig property would add its fields to the ablation points and the run log's columns.
    /// <summary>The encoder's blocks: bidirectional; rotary or ALiBi act inside attention (learned and sinusoidal positions are added to the embeddings).</summary>
    public TransformerConfig EncoderBlocks() => new(Dim: Dim, Heads: Heads, FfnHidden: FfnHidden, Norm: Norm, PreNorm: PreNorm,
        Position: Position is PositionKind.Rotary or PositionKind.ALiBi ? Position : PositionKind.None, MaxLen: MaxLen);

    /// <summary>The decoder's blocks: self-attention among the queries (causal when CausalDecoder), without positions of its own.</summary>
    public TransformerConfig DecoderBlocks() => new(Dim: Dim, Heads: Heads, FfnHidden: FfnHidden, Norm: Norm, PreNorm: PreNorm,
        Position: PositionKind.None, Causal: CausalDecoder, MaxLen: MaxLen);

    public Module<Tensor, Tensor> Build() => new EncoderDecoderTransformer(this);

    public IModelConfig For(ISyntheticTask task)
    {
        var shape = TaskShape.Of(task);
        return this with
        {
            Vocab = shape.Tokens("the encoder–decoder transformer"),
            Classes = shape.Classes,
            MaxLen = Math.Max(MaxLen, shape.MaxLength),
            PerToken = shape.PerToken,
        };
    }
}

/// <summary>Encoder blocks over token embeddings; decoder blocks over learned position queries, cross-attending to the encoder.</summary>
public sealed class EncoderDecoderTransformer : Module<Tensor, Tensor>
{
    public readonly EncoderDecoderConfig Config;
    public readonly Embedding wte;
    public readonly PositionalEmbedding wpe;
    public readonly Sequential encoder;
    public readonly Module<Tensor, Tensor> norm_enc, norm_dec;
    public readonly Tensor queries;
    public readonly List<TransformerDecoderBlock> decoder = new();
    public readonly Linear head;

    public EncoderDecoderTransformer(EncoderDecoderConfig c)
    {
        Config = c;
        wte = register_module("wte", new Embedding(c.Vocab, c.Dim));
        init.normal_(wte.weight, 0, 0.02);
        var added = c.Position is PositionKind.Learned or PositionKind.Sinusoidal ? c.Position : PositionKind.None;
        wpe = register_module("wpe", new PositionalEmbedding(added, c.MaxLen, c.Dim));
        encoder = register_module("encoder", new Sequential());
        for (int i = 0; i < c.EncoderLayers; i++) encoder.Append(new TransformerEncoderBlock(c.EncoderBlocks()));
        // Pre-norm stacks end without a norm; the memory and the decoder output get one (post-norm blocks end in theirs).
        norm_enc = register_module("norm_enc", c.PreNorm ? Norm.Create(c.Norm, c.Dim) : new Identity());
        queries = register_parameter("queries", init.normal_(empty(c.MaxLen, c.Dim), 0, 0.02));
        for (int i = 0; i < c.DecoderLayers; i++)
            decoder.Add(register_module($"decoder{i}", new TransformerDecoderBlock(c.DecoderBlocks(), crossAttention: c.CrossAttention)));
        norm_dec = register_module("norm_dec", c.PreNorm ? Norm.Create(c.Norm, c.Dim) : new Identity());
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    /// <summary>The encoder's output ("memory") for (N, T) tokens: (N, T, Dim).</summary>
    public Tensor Encode(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return norm_enc.call(encoder.call(wpe.call(wte.call(tokens)))).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        long n = tokens.size(0), t = tokens.size(1);
        if (t > Config.MaxLen) throw new ArgumentException($"sequence length {t} exceeds MaxLen {Config.MaxLen}");
        var memory = Intermediate("memory", Encode(tokens));
        var h = queries.narrow(0, 0, t).unsqueeze(0).expand(n, t, Config.Dim);
        foreach (var block in decoder) h = block.call(h, memory);
        h = norm_dec.call(h);
        return head.call(Config.PerToken ? h : h.mean(1)).MoveToOuterDisposeScope();
    }
}

/// <summary>Causal self-attention, cross-attention to an encoder's output ("memory"), then feed-forward.</summary>
public sealed class TransformerDecoderBlock : Module<Tensor, Tensor, Tensor>
{
    public readonly TransformerConfig Config;
    public readonly MultiHeadAttention? self_attn, cross_attn;
    public readonly MLP? mlp;
    public readonly Module<Tensor, Tensor>? norm1, norm2, norm3;

    public TransformerDecoderBlock(TransformerConfig config, bool crossAttention = true)
    {
        Config = config;
        if (config.Attention)
        {
            norm1 = register_module("norm1", Norm.Create(config.Norm, config.Dim));
            self_attn = register_module("self_attn", config.SelfAttention());
        }
        if (crossAttention)
        {
            norm2 = register_module("norm2", Norm.Create(config.Norm, config.Dim));
            cross_attn = register_module("cross_attn", config.CrossAttention());
        }
        if (config.Ffn)
        {
            norm3 = register_module("norm3", Norm.Create(config.Norm, config.Dim));
            mlp = register_module("mlp", config.Mlp());
        }
    }

    /// <summary>x (B, L, D) attends to itself causally and to memory (B, S, D).</summary>
    public override Tensor forward(Tensor x, Tensor memory)
    {
        using var scope = NewDisposeScope();
        var h = x;
        if (self_attn is not null) h = TransformerEncoderBlock.Sublayer(Config, norm1!, h, self_attn.call);
        if (cross_attn is not null) h = TransformerEncoderBlock.Sublayer(Config, norm2!, h, t => cross_attn.call(t, memory));
        if (mlp is not null) h = TransformerEncoderBlock.Sublayer(Config, norm3!, h, mlp.call);
        return (ReferenceEquals(h, x) ? x.alias() : h).MoveToOuterDisposeScope();
    }
}
