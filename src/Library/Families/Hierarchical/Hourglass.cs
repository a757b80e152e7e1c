using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>
/// Multi-scale sequence processing, hourglass-shaped (Nawrot et al. 2021): a transformer block at
/// full resolution, then at each stage the sequence is shortened by Factor (mean of neighbours) and
/// processed again, then lengthened back (each token repeated) with a skip from the same resolution.
/// Downsample = false keeps every stage at full length (same depth, no hierarchy).
/// </summary>
public sealed record HourglassConfig(
    long Vocab = 16,
    long Classes = 16,
    long MaxLen = 64,
    bool PerToken = true,
    long Dim = 64,
    int Heads = 4,
    int Stages = 2,
    long Factor = 2,
    [property: Ablation("shorten the sequence between stages (the hierarchy itself)")] bool Downsample = true,
    [property: Ablation("skip connections from each resolution to its upsampled twin")] bool Skip = true) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new Hourglass(this);

    public IModelConfig For(ISyntheticTask task)
    {
        var shape = TaskShape.Of(task);
        return this with
        {
            Vocab = shape.Tokens("the hourglass"),
            Classes = shape.Classes,
            MaxLen = Math.Max(MaxLen, shape.MaxLength),
            PerToken = shape.PerToken,
        };
    }
}

public sealed class Hourglass : Module<Tensor, Tensor>
{
    public readonly HourglassConfig Config;
    public readonly Embedding embed;
    public readonly PositionalEmbedding positions;
    public readonly Sequential down, up;
    public readonly TransformerEncoderBlock bottom;
    public readonly LayerNorm norm;
    public readonly Linear head;

    public Hourglass(HourglassConfig c)
    {
        Config = c;
        // Plain pre-norm blocks; positions are added once to the embeddings, so none act inside attention.
        var blocks = new TransformerConfig(Dim: c.Dim, Heads: c.Heads, Position: PositionKind.None, MaxLen: c.MaxLen);
        embed = register_module("embed", new Embedding(c.Vocab, c.Dim));
        init.normal_(embed.weight, 0, 0.02);
        positions = register_module("positions", new PositionalEmbedding(PositionKind.Learned, c.MaxLen, c.Dim));
        down = register_module("down", new Sequential());
        up = register_module("up", new Sequential());
        for (int s = 0; s < c.Stages; s++)
        {
            down.Append(new TransformerEncoderBlock(blocks));
            up.Append(new TransformerEncoderBlock(blocks));
        }
        bottom = register_module("bottom", new TransformerEncoderBlock(blocks));
        norm = register_module("norm", new LayerNorm(c.Dim));
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    /// <summary>(N, T, D) → (N, ceil(T / f), D): means of f neighbours (the tail padded by repeating the last token).</summary>
    public static Tensor Shorten(Tensor x, long f)
    {
        using var scope = NewDisposeScope();
        long t = x.size(1), padded = (t + f - 1) / f * f;
        if (padded > t) x = cat(new[] { x, x.narrow(1, t - 1, 1).expand(x.size(0), padded - t, x.size(2)) }, 1);
        return x.reshape(x.size(0), padded / f, f, x.size(2)).mean(2).MoveToOuterDisposeScope();
    }

    /// <summary>(N, T', D) → (N, length, D): each token repeated f times, cut to length.</summary>
    public static Tensor Lengthen(Tensor x, long f, long length)
    {
        using var scope = NewDisposeScope();
        var repeated = x.unsqueeze(2).expand(x.size(0), x.size(1), f, x.size(2)).reshape(x.size(0), x.size(1) * f, x.size(2));
        return repeated.narrow(1, 0, length).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        long f = Config.Downsample ? Config.Factor : 1;
        var h = positions.call(embed.call(tokens));
        var skips = new Stack<Tensor>();
        for (int s = 0; s < Config.Stages; s++)
        {
            h = down[s].call(h);
            skips.Push(h);
            h = Intermediate($"scale{s + 1}", Shorten(h, f));
        }
        h = bottom.call(h);
        for (int s = Config.Stages - 1; s >= 0; s--)
        {
            var skip = skips.Pop();
            h = Lengthen(h, f, skip.size(1));
            h = up[s].call(Config.Skip ? h + skip : h);
        }
        h = norm.call(h);
        return head.call(Config.PerToken ? h : h.mean(1)).MoveToOuterDisposeScope();
    }
}
