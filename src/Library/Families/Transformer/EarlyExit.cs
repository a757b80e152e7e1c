using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>
/// Conditional computation by early exit (BranchyNet, Teerapittayanon et al. 2016; self-distilled exits as
/// in FastBERT, Liu et al. 2020): a transformer classifier with a small classifier after every block but
/// the last. At inference each example leaves at the first exit whose top softmax probability reaches
/// Threshold, so confident examples skip the remaining blocks; the rest go on to the final head. In
/// training every example runs every block, and each intermediate exit learns to match the final head's
/// (detached) distribution: an auxiliary loss the Trainer adds, so no exit needs the labels.
/// EarlyExit = false is the plain transformer classifier of the same trunk and head.
/// The exit decision is per example, so per-token models (whose later positions attend to earlier
/// positions' deeper states) are not supported.
/// </summary>
public sealed record EarlyExitConfig(
    TransformerConfig Transformer,
    [property: Ablation("exit per example at the first confident intermediate classifier (off: every example runs every block)")] bool EarlyExit = true,
    [property: Ablation("top softmax probability an exit needs", 0.8, 0.99)] double Threshold = 0.9,
    double ExitLossWeight = 1.0) : IModelConfig
{
    public Module<Tensor, Tensor> Build()
    {
        if (Transformer.PerToken)
            throw new ArgumentException("early exit decides per example and needs a pooled classifier (Transformer.PerToken = false); " +
                "a per-token model's later positions attend to deeper states of earlier positions, which an exited position would not have");
        if (Threshold <= 0) throw new ArgumentException($"Threshold is a probability an exit must reach; got {Threshold}");
        return EarlyExit ? new EarlyExitClassifier(this) : new EncoderClassifier(Transformer);
    }

    public IModelConfig For(ISyntheticTask task) => this with { Transformer = (TransformerConfig)Transformer.For(task) };
}

/// <summary>The trunk's blocks with an exit (norm, pooling, linear) after each block but the last, then the final norm and head.</summary>
public sealed class EarlyExitClassifier : Module<Tensor, Tensor>, IAuxiliaryLoss
{
    public readonly EarlyExitConfig Config;
    public readonly TransformerTrunk transformer;
    public readonly Sequential exit_norms;
    public readonly Sequential exits;
    public readonly Linear head;
    Tensor? lastExitLoss;

    public EarlyExitClassifier(EarlyExitConfig config)
    {
        Config = config;
        var t = config.Transformer;
        transformer = register_module("transformer", new TransformerTrunk(t));
        exit_norms = register_module("exit_norms", new Sequential());
        exits = register_module("exits", new Sequential());
        for (int i = 0; i < t.Layers - 1; i++)
        {
            exit_norms.Append(Norm.Create(t.Norm == NormKind.None ? NormKind.LayerNorm : t.Norm, t.Dim));
            exits.Append(new Linear(t.Dim, t.Classes));
        }
        head = register_module("head", new Linear(t.Dim, t.Classes));
    }

    int Blocks => Config.Transformer.Layers;

    /// <summary>Fraction of block evaluations the latest inference forward skipped (0 in training, or when nobody exited early).</summary>
    public double LastComputeSaved { get; private set; }

    /// <summary>How many examples of the latest inference forward left after block 1, 2, ..., Layers (the last is the final head).</summary>
    public long[] LastExitCounts { get; private set; } = [];

    Tensor Pool(Tensor h) => Config.Transformer.Pooling switch
    {
        Pooling.Mean => h.mean(1),
        Pooling.Max => h.amax(1),
        _ => h.select(1, 0),
    };

    Tensor Exit(int block, Tensor h) => block == Blocks - 1
        ? head.call(Pool(transformer.norm_f.call(h)))
        : exits[block].call(Pool(exit_norms[block].call(h)));

    public override Tensor forward(Tensor x) => training ? ForwardAll(x) : ForwardExiting(x);

    // Training: every block runs; the final logits are returned and the exits' distillation loss is kept for the Trainer.
    Tensor ForwardAll(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = transformer.Embed(x);
        var intermediate = new List<Tensor>();
        for (int i = 0; i < Blocks; i++)
        {
            h = transformer.blocks[i].call(h);
            if (i < Blocks - 1) intermediate.Add(Exit(i, h));
        }
        var logits = Exit(Blocks - 1, h);
        lastExitLoss?.Dispose();
        lastExitLoss = null;
        if (intermediate.Count > 0 && Config.ExitLossWeight != 0)
        {
            var teacher = logits.detach().softmax(-1);
            Tensor? total = null;
            foreach (var e in intermediate)
            {
                var term = -(teacher * e.log_softmax(-1)).sum(-1).mean();
                total = total is null ? term : total + term;
            }
            // Owned by the module until the next forward: the caller's scope would free a tensor it is not returned.
            lastExitLoss = (total! * (Config.ExitLossWeight / intermediate.Count)).DetachFromDisposeScope();
        }
        LastComputeSaved = 0;
        LastExitCounts = [];
        return logits.MoveToOuterDisposeScope();
    }

    // Inference: after each block the still-running examples that are confident leave; only the rest go on.
    Tensor ForwardExiting(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.size(0);
        var h = transformer.Embed(x);
        var active = Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray();
        var pieces = new List<Tensor>();
        var order = new List<long>();
        var counts = new long[Blocks];
        var exitLayer = new long[n];
        long evaluated = 0;
        for (int i = 0; i < Blocks && active.Length > 0; i++)
        {
            h = transformer.blocks[i].call(h);
            evaluated += active.Length;
            var logits = Exit(i, h);
            bool[] leave;
            if (i == Blocks - 1) leave = Enumerable.Repeat(true, active.Length).ToArray();
            else
            {
                using var confident = logits.softmax(-1).amax(-1) >= Config.Threshold;
                leave = confident.cpu().contiguous().data<bool>().ToArray();
            }
            var leaving = Indices(leave, true);
            if (leaving.Length > 0)
            {
                pieces.Add(leaving.Length == active.Length ? logits : logits.index_select(0, tensor(leaving, device: h.device)));
                foreach (var j in leaving) { order.Add(active[j]); exitLayer[active[j]] = i + 1; }
                counts[i] = leaving.Length;
            }
            var staying = Indices(leave, false);
            if (staying.Length == 0) break;
            if (staying.Length < active.Length) h = h.index_select(0, tensor(staying, device: h.device));
            active = staying.Select(j => active[j]).ToArray();
        }
        LastExitCounts = counts;
        LastComputeSaved = n == 0 ? 0 : 1 - (double)evaluated / (n * Blocks);
        Intermediate("exit_layer", tensor(exitLayer));
        var stacked = cat(pieces.ToArray(), 0);
        // Put the examples back in input order: position k of the stack holds example order[k].
        var back = tensor(order.ToArray(), device: stacked.device).argsort();
        return stacked.index_select(0, back).MoveToOuterDisposeScope();
    }

    static long[] Indices(bool[] mask, bool value)
    {
        var list = new List<long>();
        for (int i = 0; i < mask.Length; i++) if (mask[i] == value) list.Add(i);
        return list.ToArray();
    }

    public Tensor? AuxiliaryLoss() => lastExitLoss is null ? null : lastExitLoss.alias();
}
