using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>How tokens are assigned to experts.</summary>
public enum RouterKind
{
    /// <summary>A trained linear router, top-k of its softmax (Shazeer et al. 2017; Switch, Fedus et al. 2021).</summary>
    Learned,
    /// <summary>A fixed random router (not trained): tests whether learning the routing matters.</summary>
    Frozen,
}

/// <summary>
/// A transformer whose feed-forward sublayers are mixtures of experts. UseMoE = false swaps each
/// mixture for one dense MLP of TopK x ExpertHidden units: the same active compute per token.
/// </summary>
public sealed record MoEConfig(
    TransformerConfig Transformer,
    int Experts = 4,
    [property: Ablation("experts consulted per token", 1, 2)] int TopK = 1,
    long ExpertHidden = 64,
    [property: Ablation("replace each mixture with a dense MLP of equal active compute")] bool UseMoE = true,
    [property: Ablation("learned or frozen random routing")] RouterKind Router = RouterKind.Learned,
    [property: Ablation("weight of the Switch load-balancing loss", 0.0, 0.01)] double BalanceWeight = 0.01) : IModelConfig, IDeclaresCausality
{
    bool IDeclaresCausality.IsCausal => Transformer.Causal;

    public Module<Tensor, Tensor> Build()
    {
        var t = Transformer;
        Func<int, Module<Tensor, Tensor>> ffn = _ => UseMoE
            ? new MixtureOfExpertsLayer(t.Dim, ExpertHidden, Experts, TopK, t.Activation, Router)
            : new MLP(t.Dim, ExpertHidden * TopK, activation: t.Activation, bias: t.Bias);
        return new MoEModel(this, t.PerToken ? new GPT(t, ffn) : new EncoderClassifier(t, ffn));
    }

    public IModelConfig For(ISyntheticTask task) => this with { Transformer = (TransformerConfig)Transformer.For(task) };
}

/// <summary>A transformer with mixture layers; exposes their load-balancing loss and per-expert utilisation.</summary>
public sealed class MoEModel : Module<Tensor, Tensor>, IAuxiliaryLoss
{
    public readonly MoEConfig Config;
    public readonly Module<Tensor, Tensor> model;

    public MoEModel(MoEConfig config, Module<Tensor, Tensor> model)
    {
        Config = config;
        this.model = register_module("model", model);
    }

    public IEnumerable<MixtureOfExpertsLayer> Layers => modules().OfType<MixtureOfExpertsLayer>();

    public override Tensor forward(Tensor x) => model.call(x);

    public Tensor? AuxiliaryLoss()
    {
        var losses = Layers.Select(l => l.LastBalanceLoss).OfType<Tensor>().ToList();
        if (losses.Count == 0 || Config.BalanceWeight == 0) return null;
        using var scope = NewDisposeScope();
        var total = losses[0];
        foreach (var l in losses.Skip(1)) total = total + l;
        return (total * Config.BalanceWeight).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Top-k routed experts. Each token goes to the k experts with the highest router probability;
/// only those experts run on it, and their outputs are mixed by the probabilities (renormalised
/// over the chosen k when k &gt; 1, as Mixtral does; the raw probability when k = 1, as Switch does,
/// so the router keeps a gradient). Offers "router_probs" and "utilization" as intermediates.
/// </summary>
public sealed class MixtureOfExpertsLayer : Module<Tensor, Tensor>
{
    static readonly Op nonzero = new("nonzero"), indexAdd = new("index_add"), indexCopy = new("index_copy"),
        baddbmm = new("baddbmm"), bincount = new("bincount");
    readonly Func<Tensor, Tensor> activation;

    public readonly Linear router;
    public readonly Sequential experts;
    public int NumExperts { get; }
    public int TopK { get; }

    /// <summary>The Switch load-balancing loss of the latest forward (owned by the layer, replaced by the next forward): E · Σ_e f_e · P_e, 1 when balanced.</summary>
    public Tensor? LastBalanceLoss { get; private set; }

    /// <summary>
    /// How the routed tokens reach the experts; every way gives the same outputs and gradients (tests
    /// compare them in float64). <see cref="ExpertDispatch.Grouped"/>, the default, sorts the assignments
    /// by expert once and runs each expert's own module on its contiguous slice: exact-size products with
    /// a handful of ops per expert, and hooks on an expert module still fire.
    /// </summary>
    public ExpertDispatch Dispatch { get; set; } = ExpertDispatch.Grouped;

    /// <summary>Fraction of routing assignments each expert received in the latest forward.</summary>
    public double[] LastUtilization { get; private set; } = Array.Empty<double>();

    public MixtureOfExpertsLayer(long dim, long hidden, int experts, int topK = 1, string activation = "gelu", RouterKind router = RouterKind.Learned)
    {
        if (topK < 1 || topK > experts) throw new ArgumentException($"top-k must be in [1, {experts}], got {topK}");
        NumExperts = experts;
        TopK = topK;
        this.router = register_module("router", new Linear(dim, experts, bias: false));
        if (router == RouterKind.Frozen) this.router.weight.requires_grad = false;
        this.activation = Activations.Get(activation);
        this.experts = register_module("experts", new Sequential());
        for (int e = 0; e < experts; e++) this.experts.Append(new MLP(dim, hidden, activation: activation));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var tokens = x.reshape(-1, shape[^1]);
        var probs = Intermediate("router_probs", router.call(tokens).softmax(-1));
        var (topValues, topIndices) = probs.topk(TopK, -1);
        var gates = TopK > 1 ? topValues / topValues.sum(-1, keepdim: true) : topValues;

        var output = Dispatch switch
        {
            ExpertDispatch.Grouped => ExpertsGrouped(tokens, topIndices, gates),
            ExpertDispatch.Padded => ExpertsPadded(tokens, topIndices, gates),
            _ => ExpertsOneByOne(tokens, topIndices, gates),
        };

        var assigned = one_hot(topIndices, NumExperts).sum(new long[] { 0, 1 }).to(probs.dtype) / (tokens.size(0) * TopK);
        Intermediate("utilization", assigned);
        LastUtilization = assigned.detach().to(ScalarType.Float32).data<float>().Select(v => (double)v).ToArray();
        // Enclosing modules' scopes would free a tensor they do not return, so the layer owns this one.
        LastBalanceLoss?.Dispose();
        LastBalanceLoss = SwitchBalanceLoss(probs, assigned).DetachFromDisposeScope();
        return output.reshape(shape).MoveToOuterDisposeScope();
    }

    Tensor ExpertsOneByOne(Tensor tokens, Tensor topIndices, Tensor gates)
    {
        var output = zeros_like(tokens);
        for (int e = 0; e < NumExperts; e++)
        {
            var chosen = topIndices.eq(e);                                  // (N, k)
            var rows = nonzero.Call(chosen.sum(-1)).select(1, 0);           // tokens routed to e
            if (rows.numel() == 0) continue;
            var gate = (gates * chosen).sum(-1).index_select(0, rows).unsqueeze(-1);
            var expertOut = experts[e].call(tokens.index_select(0, rows)) * gate;
            output = indexAdd.Call(output, 0L, rows, expertOut);
        }
        return output;
    }

    /// <summary>
    /// The assignments sorted by expert (one argsort), the tokens gathered in that order (one
    /// index_select), each expert run on its own contiguous slice, and the gated rows summed back into
    /// their tokens (one index_add). The per-expert counts are read on the host to cut the slices.
    /// </summary>
    Tensor ExpertsGrouped(Tensor tokens, Tensor topIndices, Tensor gates)
    {
        var routed = SortByExpert(tokens, topIndices, gates);
        var counts = routed.Counts.cpu().data<long>();
        var grouped = tokens.index_select(0, routed.SortedToken);
        var outputs = new List<Tensor>(NumExperts);
        long start = 0;
        for (int e = 0; e < NumExperts; e++)
        {
            if (counts[e] == 0) continue;
            outputs.Add(experts[e].call(grouped.narrow(0, start, counts[e])));
            start += counts[e];
        }
        if (outputs.Count == 0) return zeros_like(tokens);                              // no tokens at all
        return indexAdd.Call(zeros_like(tokens), 0L, routed.SortedToken, cat(outputs.ToArray(), 0) * routed.Gate);
    }

    /// <summary>The (token, chosen expert) assignments sorted by expert, as both ways of grouping them need them.</summary>
    /// <param name="ExpertOf">Each assignment's expert, in assignment order (token·k + j).</param>
    /// <param name="Order">The assignments sorted by expert.</param>
    /// <param name="SortedToken">Each sorted assignment's token (a row of the tokens).</param>
    /// <param name="Counts">Assignments per expert, E long.</param>
    /// <param name="Gate">Each sorted assignment's mixing weight, as a column.</param>
    readonly record struct ExpertOrder(Tensor ExpertOf, Tensor Order, Tensor SortedToken, Tensor Counts, Tensor Gate);

    ExpertOrder SortByExpert(Tensor tokens, Tensor topIndices, Tensor gates)
    {
        long n = tokens.size(0);
        var expertOf = topIndices.reshape(-1);                                          // assignment a = token·k + j
        var order = expertOf.argsort();
        var tokenOf = arange(n, device: tokens.device).unsqueeze(1).expand(n, TopK).reshape(-1);
        return new ExpertOrder(
            expertOf,
            order,
            tokenOf.index_select(0, order),
            bincount.Call(expertOf, Arg.Kw("minlength", (long)NumExperts)),
            gates.reshape(-1).index_select(0, order).unsqueeze(-1));
    }

    /// <summary>
    /// Every (token, chosen expert) assignment is placed in its expert's slice of an (E, C, D) buffer,
    /// C being the busiest expert's count; one batched product per expert layer then runs all experts
    /// at once, and each assignment's row is read back, gated and summed into its token. Empty slots
    /// compute on zeros and are never read.
    /// </summary>
    Tensor ExpertsPadded(Tensor tokens, Tensor topIndices, Tensor gates)
    {
        long dim = tokens.size(1), e = NumExperts;
        var routed = SortByExpert(tokens, topIndices, gates);
        long capacity = routed.Counts.max().ToInt64();
        var firstOfExpert = routed.Counts.cumsum(0) - routed.Counts;
        var sortedExpert = routed.ExpertOf.index_select(0, routed.Order);
        var slot = sortedExpert * capacity + (arange(sortedExpert.size(0), device: tokens.device) - firstOfExpert.index_select(0, sortedExpert));
        var buffer = indexCopy.Call(zeros(new[] { e * capacity, dim }, dtype: tokens.dtype, device: tokens.device), 0L, slot, tokens.index_select(0, routed.SortedToken))
            .view(e, capacity, dim);

        var mlps = Enumerable.Range(0, NumExperts).Select(i => (MLP)experts[i]).ToArray();
        var w1 = stack(mlps.Select(m => m.fc.weight).ToArray()).transpose(1, 2);          // (E, D, H)
        var b1 = stack(mlps.Select(m => m.fc.bias!).ToArray()).unsqueeze(1);              // (E, 1, H)
        var w2 = stack(mlps.Select(m => m.proj.weight).ToArray()).transpose(1, 2);        // (E, H, D)
        var b2 = stack(mlps.Select(m => m.proj.bias!).ToArray()).unsqueeze(1);            // (E, 1, D)
        var hidden = activation(baddbmm.Call(b1, buffer, w1));
        var result = baddbmm.Call(b2, hidden, w2).view(e * capacity, dim);

        return indexAdd.Call(zeros_like(tokens), 0L, routed.SortedToken, result.index_select(0, slot) * routed.Gate);
    }

    /// <summary>E · Σ_e f_e · P_e with f the assignment fractions and P the mean router probabilities (Fedus et al. 2021, eq. 4).</summary>
    public static Tensor SwitchBalanceLoss(Tensor probs, Tensor assignedFraction)
    {
        using var scope = NewDisposeScope();
        long experts = probs.size(-1);
        return ((assignedFraction * probs.mean(0)).sum() * experts).MoveToOuterDisposeScope();
    }

    protected override string ExtraRepr() => $"experts={NumExperts}, top_k={TopK}";
}

/// <summary>How <see cref="MixtureOfExpertsLayer"/> runs its experts on the tokens routed to them.</summary>
public enum ExpertDispatch
{
    /// <summary>Assignments sorted by expert, each expert on its contiguous slice (the default).</summary>
    Grouped,
    /// <summary>Assignments placed in an (experts, busiest expert's count, dim) buffer and run as two batched products; the padding rows compute on zeros.</summary>
    Padded,
    /// <summary>One expert at a time, each finding its own tokens (eq, nonzero, index_select, index_add per expert).</summary>
    Loop,
}
