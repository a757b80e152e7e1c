using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

public static partial class SanityChecks
{
    /// <summary>
    /// Charts what each output depends on with backprop (Karpathy, "a recipe for training neural
    /// networks"): for every example i of a small batch, the gradient of a random weighting of example
    /// i's outputs must reach example i's input and no other — a view or transpose that mixes the batch
    /// shows up as gradient on the wrong rows. With per-position outputs it also charts which positions
    /// each position reads and holds the model to <see cref="SanityOptions.Causal"/>: declared causal,
    /// position t must have zero gradient from inputs after t; declared bidirectional, some position
    /// must read a later one; undeclared, the finding is reported but nothing is asserted.
    /// Runs in eval mode (dropout off; batch norm's batch statistics would mix examples by design) and
    /// leaves the weights and their .grad untouched. Token inputs cannot carry gradients, so for them
    /// the gradient is taken at the outputs of the Embedding layers that read the model's input; so it is
    /// for numbers the model turns into ids before embedding them, when no gradient reaches the numbers.
    /// </summary>
    public static DependencyCheck BatchDependencies(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        int n = Math.Max(2, o.DependencyBatchSize);
        bool wasTraining = model.training;
        var probes = new List<Tensor>();
        var hooks = new List<IDisposable>();
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            var batch = task.Sample(n, o.Seed, Split.Train, model.device);
            bool tokens = batch.Input.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool;
            // Embeddings that read a tensor shaped like the input: the token ids themselves, or ids the model made
            // from numbers (a CSV's token columns arrive as floats), which no gradient can flow back through.
            var input = batch.Input;
            var embedded = new List<Tensor>();
            foreach (var (name, m) in model.named_modules().Where(m => m.module is Embedding))
                hooks.Add(m.register_forward_hook((_, i, output) =>
                {
                    if (i is Tensor read && read.shape.SequenceEqual(input.shape) && output is Tensor e && e.requires_grad)
                        embedded.Add(e.alias().DetachFromDisposeScope());
                }));
            var direct = tokens ? null : input.detach().requires_grad_();
            if (direct is not null) probes.Add(direct);
            var logits = model.call(direct ?? input);
            probes.AddRange(embedded);
            string probe = "input";
            if (tokens || (embedded.Count > 0 && !Reaches(logits, direct!)))
            {
                if (embedded.Count == 0)
                    return Unmeasurable(n, o, "the model reads int64 tokens but no Embedding layer with trainable weights read them, so there is nothing to take a gradient at");
                probe = tokens ? "outputs of the embeddings that read the tokens"
                    : "outputs of the embeddings that read the input as ids (no gradient reaches the input values themselves)";
                probes.Remove(direct!);
                direct?.Dispose();
            }
            else foreach (var e in embedded) { probes.Remove(e); e.Dispose(); }
            if (logits.size(0) != n)
                return Unmeasurable(n, o, $"the outputs' first dimension is {logits.size(0)}, not the batch of {n}");

            using var _ = no_grad();
            var weighting = randn_like(logits);
            // influence[i][j]: largest gradient magnitude reaching example j from example i's outputs.
            var influence = new double[n][];
            for (int i = 0; i < n; i++)
            {
                var seed = zeros_like(logits);
                seed.narrow(0, i, 1).copy_(weighting.narrow(0, i, 1));
                influence[i] = PerRow(GradientAt(logits, seed, probes), n);
            }
            double own = Enumerable.Range(0, n).Min(i => influence[i][i]);
            double cross = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, n).Where(j => j != i).Select(j => influence[i][j])).Max();

            // Positions: in example 0, how much the outputs at t read each input position s. Measured
            // whenever the outputs are per position; the declaration decides what the numbers must show.
            bool perPositionOutputs = logits.dim() >= 3 && probes.All(p => p.dim() >= 2 && p.size(1) == logits.size(1));
            double future = 0, past = 0;
            (long, long)? leak = null;
            if (perPositionOutputs)
                for (long t = 0; t < logits.size(1); t++)
                {
                    var seed = zeros_like(logits);
                    seed.narrow(0, 0, 1).narrow(1, t, 1).copy_(weighting.narrow(0, 0, 1).narrow(1, t, 1));
                    var perPosition = PerPosition(GradientAt(logits, seed, probes));
                    for (long s = 0; s < t; s++) past = Math.Max(past, perPosition[s]);
                    for (long s = t + 1; s < perPosition.Length; s++)
                    {
                        if (perPosition[s] > future) future = perPosition[s];
                        if (leak is null && perPosition[s] > o.DependencyTolerance * Math.Max(own, double.Epsilon)) leak = (t, s);
                    }
                }

            double allowed = o.DependencyTolerance * own;
            bool seesFuture = future > allowed, seesPast = past > allowed;
            var verdict = !perPositionOutputs ? CausalityVerdict.NotApplicable
                : o.Causal is null ? CausalityVerdict.NotDeclared
                : !seesFuture && !seesPast ? CausalityVerdict.PositionsIndependent
                : o.Causal == true ? (seesFuture ? CausalityVerdict.FutureLeaks : CausalityVerdict.Causal)
                : seesFuture ? CausalityVerdict.Bidirectional : CausalityVerdict.DeclaredBidirectionalButCausal;
            bool causal = o.Causal == true && perPositionOutputs;
            bool batchOk = own > 0 && double.IsFinite(own) && cross <= allowed;
            bool causalOk = verdict is not (CausalityVerdict.FutureLeaks or CausalityVerdict.DeclaredBidirectionalButCausal);
            var summary = $"{n} examples: own-input gradient >= {own:E2}, largest cross-example gradient {cross:E2}";
            if (perPositionOutputs) summary += $"; largest gradient from a future position {future:E2}, from a past one {past:E2}";
            if (!(own > 0)) summary += "; some example's outputs do not depend on its own input";
            if (cross > allowed) summary += "; examples leak into each other's outputs (a reshape/view/transpose across the batch, or a statistic over dim 0?)";
            summary += verdict switch
            {
                CausalityVerdict.NotDeclared => $"; causality not checked (declare it: {CausalityDeclaration.HowToDeclare}); as measured the outputs " +
                    (seesFuture ? "read later positions (bidirectional)" : seesPast ? "read only earlier positions (causal)" : "read no other position"),
                CausalityVerdict.Causal => "; declared causal: no output reads a later position",
                CausalityVerdict.Bidirectional => "; declared bidirectional: outputs read later positions",
                CausalityVerdict.PositionsIndependent => "; no output reads another position",
                CausalityVerdict.FutureLeaks => $"; declared causal, but position {leak!.Value.Item1}'s outputs depend on input position {leak.Value.Item2} (the future leaks)",
                CausalityVerdict.DeclaredBidirectionalButCausal => "; declared bidirectional, but no output reads a later position: the model is in fact causal (a causal mask applied by mistake, or a wrong declaration?)",
                _ => "",
            };
            return new DependencyCheck
            {
                Passed = batchOk && causalOk, Probe = probe, Influence = influence, OwnInfluence = own, CrossInfluence = cross,
                CausalChecked = causal, Causality = verdict, FutureInfluence = future, PastInfluence = past, FirstLeak = verdict == CausalityVerdict.FutureLeaks ? leak : null, Tolerance = o.DependencyTolerance,
                Summary = summary,
            };
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
            foreach (var p in probes) p.Dispose();
            model.train(wasTraining);
        }
    }

    /// <summary>Whether any gradient path leads from the outputs back to <paramref name="probe"/>.</summary>
    static bool Reaches(Tensor logits, Tensor probe)
    {
        if (!logits.requires_grad) return false;
        using var _ = enable_grad();
        using var scope = NewDisposeScope();
        return autograd.grad(new[] { logits }, new[] { probe }, new Tensor?[] { ones_like(logits) }, retain_graph: true, allow_unused: true)[0] is not null;
    }

    /// <summary>The gradient of (seed · logits) at each probe; probes the outputs never reached count as zero.</summary>
    static Tensor[] GradientAt(Tensor logits, Tensor seed, List<Tensor> probes)
    {
        using var _ = enable_grad();
        var grads = autograd.grad(new[] { logits }, probes.ToArray(), new Tensor?[] { seed }, retain_graph: true, allow_unused: true);
        return grads.Select((g, k) => g ?? zeros_like(probes[k])).ToArray();
    }

    /// <summary>Largest |gradient| per example (dim 0), summed over probes.</summary>
    static double[] PerRow(Tensor[] grads, int n)
    {
        var total = new double[n];
        foreach (var g in grads)
        {
            var row = g.abs().reshape(n, -1).amax(1).to(ScalarType.Float64).cpu().data<double>();
            for (int i = 0; i < n; i++) total[i] += row[i];
        }
        return total;
    }

    /// <summary>Largest |gradient| per position (dim 1) of example 0, summed over probes.</summary>
    static double[] PerPosition(Tensor[] grads)
    {
        var total = new double[grads[0].size(1)];
        foreach (var g in grads)
        {
            var row = g.select(0, 0).abs().reshape(g.size(1), -1).amax(1).to(ScalarType.Float64).cpu().data<double>();
            for (int s = 0; s < total.Length; s++) total[s] += row[s];
        }
        return total;
    }

    static DependencyCheck Unmeasurable(int n, SanityOptions o, string why) => new()
    {
        Passed = false, Probe = "none", Influence = Array.Empty<double[]>(), OwnInfluence = double.NaN, CrossInfluence = double.NaN,
        CausalChecked = false, Causality = CausalityVerdict.NotApplicable, FutureInfluence = double.NaN, PastInfluence = double.NaN, Tolerance = o.DependencyTolerance,
        Summary = $"could not chart the dependencies of {n} examples: {why}",
    };
}
