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
    public BlockSpec Encoder => new(Dim, Heads, FfnHidden, Norm: Norm, PreNorm: PreNorm,
        Position: Position is PositionKind.Rotary or PositionKind.ALiBi ? Position : PositionKind.None, MaxLen: MaxLen);
    public BlockSpec Decoder => new(Dim, Heads, FfnHidden, Norm: Norm, PreNorm: PreNorm, Causal: CausalDecoder, MaxLen: MaxLen);

    public Module<Tensor, Tensor> Build() => new EncoderDecoderTransformer(this);

    public IModelConfig For(ISyntheticTask task) => this with
    {
        Vocab = task.VocabSize ?? throw new ArgumentException("the encoder–decoder transformer reads tokens"),
        Classes = task.NumClasses,
        MaxLen = Math.Max(MaxLen, task.InputShape(task.HasGeneralizationSplit ? Split.Generalization : Split.Train)[0]),
        PerToken = task.Loss == LossKind.PerToken,
    };
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
        for (int i = 0; i < c.EncoderLayers; i++) encoder.Append(new TransformerEncoderBlock(c.Encoder));
        // Pre-norm stacks end without a norm; the memory and the decoder output get one (post-norm blocks end in theirs).
        norm_enc = register_module("norm_enc", c.PreNorm ? Norm.Create(c.Norm, c.Dim) : new Identity());
        queries = register_parameter("queries", init.normal_(empty(c.MaxLen, c.Dim), 0, 0.02));
        for (int i = 0; i < c.DecoderLayers; i++)
            decoder.Add(register_module($"decoder{i}", new TransformerDecoderBlock(c.Decoder, crossAttention: c.CrossAttention)));
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
