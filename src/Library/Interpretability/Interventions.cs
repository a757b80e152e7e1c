using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Interpretability;

/// <summary>What replaces a component's output in an ablation.</summary>
public enum AblationKind
{
    /// <summary>Zeros.</summary>
    Zero,
    /// <summary>Its mean over the batch's examples (per position), which keeps its typical value but removes what depends on the example.</summary>
    Mean,
    /// <summary>Its value on another example of the batch (the batch rolled by one), which keeps its distribution but breaks its link to the input.</summary>
    Resample,
}

/// <summary>One component to intervene on: a module's whole output, or one head of a <see cref="MultiHeadAttention"/> (its slice of the input to out_proj).</summary>
public sealed record InterventionTarget(string Module, int? Head = null)
{
    public string Name => Head is null ? Module : $"{Module} head {Head}";
}

/// <summary>
/// The effect of intervening on one component: the metric with the intervention, and the change that
/// matters — for an ablation the drop (how much worse the metric got), for patching how much of the clean
/// metric was restored — per test batch and as a mean with a bootstrap confidence interval over batches.
/// </summary>
public sealed record InterventionEffect(InterventionTarget Target, double Metric, double Change, ConfidenceInterval Interval, IReadOnlyList<double> PerBatch);

/// <summary>The effects of one kind of intervention on every component, largest change first.</summary>
/// <param name="Method">"zero ablation", "mean ablation", "resample ablation" or "activation patching".</param>
/// <param name="Baseline">The metric without intervention (on the clean input).</param>
/// <param name="Corrupted">For patching: the metric on the corrupted input without patching.</param>
public sealed record InterventionResult(string Method, string MetricName, bool HigherIsBetter, double Baseline, double? Corrupted, int Batches,
    IReadOnlyList<InterventionEffect> Effects)
{
    /// <summary>Every component tested, in the order they were listed, the model's registration order by default (Effects is sorted by change).</summary>
    public IReadOnlyList<InterventionTarget> Tested { get; init; } = [];

    /// <summary>Head effects as [attention module][head] in forward order, with the modules' paths; empty when no heads were tested.</summary>
    public (IReadOnlyList<string> modules, double[][] change) HeadGrid()
    {
        var heads = Effects.Where(e => e.Target.Head is not null).ToList();
        var modules = Tested.Where(t => t.Head is not null).Select(t => t.Module).Distinct().ToList();
        var grid = modules.Select(m =>
        {
            var row = heads.Where(e => e.Target.Module == m).ToList();
            var values = new double[row.Max(e => e.Target.Head!.Value) + 1];
            foreach (var e in row) values[e.Target.Head!.Value] = e.Change;
            return values;
        }).ToArray();
        return (modules, grid);
    }
}

/// <summary>
/// Inference-time causal interventions in the manner of TransformerLens: ablate each module and each
/// attention head (zero, mean or resample) and measure how much the metric drops, or patch each
/// component's activation from a clean run into a run on a corrupted input and measure how much of the
/// clean metric comes back. Built on forward hooks that replace a module's output; the model runs in eval
/// mode without gradients and is left as it was.
/// </summary>
public static class Interventions
{
    /// <summary>
    /// The components worth intervening on: modules matching a glob ("blocks.*.attn", '**' across
    /// segments), or by default every module that has submodules of its own except the root, containers
    /// (Sequential) and modules holding a stack of attention blocks (a trunk) — the blocks, their attention and
    /// feed-forward sublayers (mixtures of experts included); plus, when <paramref name="heads"/>, each head of every attention module among them.
    /// </summary>
    public static IReadOnlyList<InterventionTarget> Targets(Module model, IReadOnlyList<string>? patterns = null, bool heads = true)
    {
        var regexes = patterns?.Select(Capture.ToRegex).ToList();
        var targets = new List<InterventionTarget>();
        foreach (var (path, m) in model.named_modules())
        {
            if (path.Length == 0) continue;
            bool chosen = regexes is not null ? regexes.Any(r => r.IsMatch(path))
                : m is not Sequential && m.named_children().Any() && !HoldsStack(m);
            if (!chosen) continue;
            targets.Add(new InterventionTarget(path));
            if (heads && m is MultiHeadAttention attention)
                for (int h = 0; h < attention.Heads; h++) targets.Add(new InterventionTarget(path, h));
        }
        if (targets.Count == 0)
            throw new ArgumentException(patterns is null ? $"{model.GetType().Name} has no submodules to intervene on"
                : $"no module of {model.GetType().Name} matches {string.Join(", ", patterns)}; its modules: {string.Join(", ", model.named_modules().Select(x => x.name).Where(n => n.Length > 0).Take(20))}");
        return targets;
    }

    // A stack of attention blocks below a module (a trunk, an encoder, a whole model): ablating it removes everything.
    static bool HoldsStack(Module m) => m.modules().Any(d => d is Sequential s && s.modules().Any(x => x is MultiHeadAttention));

    /// <summary>Ablates each target in turn on every batch; Change is the drop in the metric (positive: the model got worse).</summary>
    /// <param name="metric">Scores logits against targets, e.g. a task's accuracy.</param>
    public static InterventionResult Ablate(Module<Tensor, Tensor> model, IReadOnlyList<(Tensor input, Tensor target)> batches,
        Func<Tensor, Tensor, double> metric, AblationKind kind, IReadOnlyList<InterventionTarget>? targets = null,
        string metricName = "metric", bool higherIsBetter = true)
    {
        targets ??= Targets(model);
        double sign = higherIsBetter ? 1 : -1;
        var baseline = new List<double>();
        var perTarget = targets.Select(_ => new List<double>()).ToList();
        var metrics = targets.Select(_ => new List<double>()).ToList();
        Run(model, targets, () =>
        {
            foreach (var (input, target) in batches)
            {
                using var scope = NewDisposeScope();
                using var clean = Record(model, targets, input, out var logits);
                double b = metric(logits, target);
                baseline.Add(b);
                for (int i = 0; i < targets.Count; i++)
                {
                    var source = clean[i];
                    var replacement = kind switch
                    {
                        AblationKind.Zero => zeros_like(source),
                        AblationKind.Mean => ItemMean(source, input.size(0)),
                        _ => source.roll(source.size(0) / input.size(0), 0),
                    };
                    double m = Replaced(model, targets[i], replacement, input, metric, target);
                    metrics[i].Add(m);
                    perTarget[i].Add(sign * (b - m));
                }
            }
        });
        return Result($"{kind.ToString().ToLowerInvariant()} ablation", targets, metricName, higherIsBetter, baseline, null, metrics, perTarget);
    }

    /// <summary>
    /// Activation patching: runs each clean input, then its corrupted twin with one target's activation
    /// taken from the clean run, scored against the clean targets. Change is how much of the metric the patch
    /// restores over the unpatched corrupted run (positive: the component carries what the corruption removed).
    /// </summary>
    public static InterventionResult Patch(Module<Tensor, Tensor> model, IReadOnlyList<(Tensor clean, Tensor corrupted, Tensor target)> batches,
        Func<Tensor, Tensor, double> metric, IReadOnlyList<InterventionTarget>? targets = null, string metricName = "metric", bool higherIsBetter = true)
    {
        targets ??= Targets(model);
        double sign = higherIsBetter ? 1 : -1;
        var baseline = new List<double>();
        var corruptedMetric = new List<double>();
        var perTarget = targets.Select(_ => new List<double>()).ToList();
        var metrics = targets.Select(_ => new List<double>()).ToList();
        Run(model, targets, () =>
        {
            foreach (var (clean, corrupted, target) in batches)
            {
                if (!clean.shape.SequenceEqual(corrupted.shape))
                    throw new ArgumentException($"the clean input [{string.Join(", ", clean.shape)}] and the corrupted input [{string.Join(", ", corrupted.shape)}] must have the same shape, so activations line up");
                using var scope = NewDisposeScope();
                using var sources = Record(model, targets, clean, out var cleanLogits);
                baseline.Add(metric(cleanLogits, target));
                double c = metric(model.call(corrupted), target);
                corruptedMetric.Add(c);
                for (int i = 0; i < targets.Count; i++)
                {
                    double m = Replaced(model, targets[i], sources[i], corrupted, metric, target);
                    metrics[i].Add(m);
                    perTarget[i].Add(sign * (m - c));
                }
            }
        });
        return Result("activation patching", targets, metricName, higherIsBetter, baseline, Statistics.Mean(corruptedMetric), metrics, perTarget);
    }

    static void Check(Module model, IReadOnlyList<InterventionTarget> targets)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        foreach (var t in targets)
        {
            var m = Find(modules, t.Module);
            if (t.Head is not int h) continue;
            var attention = m as MultiHeadAttention ?? throw new ArgumentException($"'{t.Module}' is a {m.GetType().Name}, not multi-head attention; it has no heads");
            if (h < 0 || h >= attention.Heads) throw new ArgumentException($"'{t.Module}' has heads 0..{attention.Heads - 1}, not {h}");
        }
    }

    static void Run(Module model, IReadOnlyList<InterventionTarget> targets, Action body)
    {
        Check(model, targets);
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var grad = no_grad();
            body();
        }
        finally { model.train(wasTraining); }
    }

    static InterventionResult Result(string method, IReadOnlyList<InterventionTarget> targets, string metricName, bool higherIsBetter,
        List<double> baseline, double? corrupted, List<List<double>> metrics, List<List<double>> changes)
    {
        if (baseline.Count == 0) throw new ArgumentException("no batches were given");
        var effects = targets.Select((t, i) => new InterventionEffect(t, Statistics.Mean(metrics[i]), Statistics.Mean(changes[i]),
            changes[i].Count > 1 ? Statistics.BootstrapCI(changes[i], seed: i) : new ConfidenceInterval(changes[i][0], changes[i][0], 0.95), changes[i]))
            .OrderByDescending(e => e.Change).ToList();
        return new InterventionResult(method, metricName, higherIsBetter, Statistics.Mean(baseline), corrupted, baseline.Count, effects) { Tested = targets };
    }

    /// <summary>
    /// Runs the model once and keeps each target's clean activation (a module's output, or the input to its
    /// out_proj for a head). Forward passes dispose intermediates when each module returns, so the kept
    /// values are detached copies owned by the returned <see cref="Activations"/>.
    /// </summary>
    static Activations Record(Module<Tensor, Tensor> model, IReadOnlyList<InterventionTarget> targets, Tensor input, out Tensor logits)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var seen = new Activations();
        var hooks = new List<IDisposable>();
        foreach (var path in targets.Select(t => t.Module).Distinct())
        {
            var m = Find(modules, path);
            hooks.Add(m.register_forward_hook((_, _, output) => seen.Keep(path, output is Tensor t ? t : throw NotTensor(path, output))));
            if (m is MultiHeadAttention attention)
                hooks.Add(attention.out_proj.register_forward_hook((_, input, _) => seen.Keep(path + "#heads", (Tensor)input!)));
        }
        try { logits = model.call(input); }
        catch { seen.Dispose(); throw; }
        finally { foreach (var h in hooks) h.Dispose(); }
        seen.Order(targets.Select(t => t.Head is null ? t.Module : t.Module + "#heads").ToList());
        return seen;
    }

    /// <summary>Clean activations by target, in the targets' order; disposing frees them.</summary>
    sealed class Activations : IDisposable
    {
        readonly Dictionary<string, Tensor> byKey = new();
        List<Tensor> ordered = new();
        public Tensor this[int i] => ordered[i];

        public void Keep(string key, Tensor value)
        {
            if (byKey.Remove(key, out var old)) old.Dispose();
            byKey[key] = value.detach().DetachFromDisposeScope();
        }

        public void Order(List<string> keys) => ordered = keys.Select(k => byKey.TryGetValue(k, out var v) ? v
            : throw new ArgumentException($"'{k.Replace("#heads", "")}' did not run during the forward pass, so it cannot be intervened on")).ToList();

        public void Dispose() { foreach (var t in byKey.Values) t.Dispose(); byKey.Clear(); }
    }

    /// <summary>The metric with one target's activation replaced by <paramref name="replacement"/> (shaped like the clean activation).</summary>
    static double Replaced(Module<Tensor, Tensor> model, InterventionTarget target, Tensor replacement, Tensor input, Func<Tensor, Tensor, double> metric, Tensor labels)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var m = Find(modules, target.Module);
        using var scope = NewDisposeScope();
        IDisposable hook;
        // A fresh handle per call: callers move or dispose module outputs, and the replacement is reused.
        if (target.Head is not int h) hook = m.register_forward_hook((_, _, output) => Matching(replacement, output, target).alias());
        else
        {
            var attention = (MultiHeadAttention)m;
            long width = attention.HeadDim;
            // out_proj is linear: swapping head h's slice of its input changes its output by (new − old)·W[:, slice]ᵀ.
            hook = attention.out_proj.register_forward_hook((_, input, output) =>
            {
                var merged = (Tensor)input!;
                var delta = Matching(replacement, merged, target).narrow(-1, h * width, width) - merged.narrow(-1, h * width, width);
                return output + F.linear(delta, attention.out_proj.weight.narrow(1, h * width, width));
            });
        }
        using (hook) return metric(model.call(input), labels);
    }

    static Tensor Matching(Tensor replacement, Tensor output, InterventionTarget target) =>
        replacement.shape.SequenceEqual(output.shape) ? replacement
        : throw new ArgumentException($"'{target.Name}' produced [{string.Join(", ", output.shape)}] but its replacement is [{string.Join(", ", replacement.shape)}]; interventions need inputs of one shape");

    /// <summary>Mean over the batch's examples, broadcast back: rows are grouped per example when a model folds frames or patches into the batch.</summary>
    static Tensor ItemMean(Tensor x, long items)
    {
        long rows = x.size(0) / items;
        var grouped = x.reshape([items, rows, .. x.shape[1..]]);
        return grouped.mean(0, keepdim: true).expand(grouped.shape).reshape(x.shape);
    }

    static Module Find(Dictionary<string, Module> modules, string path) =>
        modules.TryGetValue(path, out var m) ? m : throw new ArgumentException($"the model has no module '{path}'");

    static InvalidOperationException NotTensor(string path, object? output) =>
        new($"'{path}' returns {output?.GetType().Name ?? "null"}, not a tensor; only tensor outputs can be replaced");
}
