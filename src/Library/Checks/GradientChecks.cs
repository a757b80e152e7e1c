using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

public static partial class SanityChecks
{
    /// <summary>
    /// One forward and backward pass on a training batch; every trainable parameter tensor should get
    /// a finite gradient that is neither zero, vanishing next to the largest, nor exploding. The
    /// gradients are cleared afterwards; the weights are unchanged.
    /// </summary>
    public static GradientFlowCheck GradientFlow(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        var norms = new List<(string name, long[] shape, double grad, double param, bool has)>();
        using (var scope = NewDisposeScope())
        {
            foreach (var (_, p) in named) p.grad = null;
            var batch = task.Sample(o.BatchSize, o.Seed, Split.Train, model.device);
            task.ComputeLoss(model.call(batch.Input), batch.Target).backward();
            using var _ = no_grad();
            foreach (var (name, p) in named)
            {
                var g = p.grad;
                norms.Add((name, p.shape, g is null ? double.NaN : g.norm().ToDouble(), p.norm().ToDouble(), g is not null));
                p.grad = null;
            }
        }
        double largest = norms.Where(n => double.IsFinite(n.grad)).Select(n => n.grad).DefaultIfEmpty(0).Max();
        var parameters = norms.Select(n => new ParameterGradient(n.name, n.shape, n.grad, n.param,
            !n.has ? GradientFlag.NoGradient
            : !double.IsFinite(n.grad) ? GradientFlag.NonFinite
            : n.grad <= o.DeadGradNorm ? GradientFlag.Dead
            : n.grad > o.ExplodingGradNorm ? GradientFlag.Exploding
            : n.grad < o.VanishingRatio * largest ? GradientFlag.Vanishing
            : GradientFlag.Healthy)).ToList();
        var flagged = parameters.Where(p => p.Flag != GradientFlag.Healthy).ToList();
        return new GradientFlowCheck
        {
            Passed = flagged.Count == 0, Parameters = parameters,
            Summary = flagged.Count == 0
                ? $"{parameters.Count} parameter tensors, gradient norms {parameters.Min(p => p.GradNorm):E1} to {largest:E1}"
                : $"{flagged.Count} of {parameters.Count} flagged: " + string.Join(", ", flagged.Select(p => $"{p.Name} {p.Flag} ({p.GradNorm:E1})")),
        };
    }

    /// <summary>
    /// Trains with AdamW for a few steps (this changes the weights) and records, per parameter tensor,
    /// log10(std(Δθ) / std(θ)) where Δθ is the step's actual update. For plain SGD Δθ is lr·grad,
    /// the quantity in Karpathy's rule of thumb; measuring the update itself keeps the rule meaningful
    /// for adaptive optimizers, whose updates are not proportional to the gradient.
    /// </summary>
    public static UpdateRatioCheck UpdateToDataRatio(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        var sums = new double[named.Length];
        var counts = new int[named.Length];
        using var optimizer = optim.AdamW(named.Select(p => p.parameter), o.LearningRate, weight_decay: 0);
        bool wasTraining = model.training;
        model.train();
        try
        {
            for (int step = 0; step < o.UpdateRatioSteps; step++)
            {
                using var scope = NewDisposeScope();
                var batch = task.Sample(o.BatchSize, Rng.Mix(o.Seed, step), Split.Train, model.device);
                var loss = task.ComputeLoss(model.call(batch.Input), batch.Target);
                optimizer.zero_grad();
                loss.backward();
                Tensor[] before;
                using (no_grad()) before = named.Select(p => p.parameter.clone()).ToArray();
                optimizer.step();
                using var _ = no_grad();
                for (int i = 0; i < named.Length; i++)
                {
                    var p = named[i].parameter;
                    if (p.numel() < 2) continue;
                    double spread = before[i].std().ToDouble();
                    if (!(spread > 0)) continue;
                    double update = p.sub(before[i]).std().ToDouble();
                    sums[i] += Math.Log10(Math.Max(update, 1e-30) / spread);
                    counts[i]++;
                }
            }
        }
        finally { model.train(wasTraining); }
        var ratios = named.Select((p, i) =>
        {
            double r = counts[i] == 0 ? double.NaN : sums[i] / counts[i];
            // Karpathy's rule of thumb is about weight matrices and filters. Biases and norm gains start
            // as constants (zero spread), so their ratio is large for a while in every healthy model:
            // shown, not judged.
            var flag = double.IsNaN(r) ? UpdateFlag.Undefined
                : p.parameter.dim() < 2 ? UpdateFlag.NotJudged
                : r > o.UpdateRatioHigh ? UpdateFlag.TooHigh : r < o.UpdateRatioLow ? UpdateFlag.TooLow : UpdateFlag.Healthy;
            return new ParameterUpdateRatio(p.name, p.parameter.shape, r, flag);
        }).ToList();
        var flagged = ratios.Where(r => r.Flag is UpdateFlag.TooHigh or UpdateFlag.TooLow).ToList();
        var defined = ratios.Where(r => r.Flag is not (UpdateFlag.Undefined or UpdateFlag.NotJudged)).ToList();
        return new UpdateRatioCheck
        {
            Passed = flagged.Count == 0, LearningRate = o.LearningRate, Steps = o.UpdateRatioSteps,
            Low = o.UpdateRatioLow, High = o.UpdateRatioHigh, Parameters = ratios,
            Summary = (defined.Count == 0 ? "no weight tensor has a measurable spread"
                          : $"weights: log10(update/data) {defined.Min(r => r.Log10Ratio):F2} to {defined.Max(r => r.Log10Ratio):F2} at lr {o.LearningRate:G3} (healthy about -3; biases and norm gains shown, not judged)") +
                      (flagged.Count == 0 ? "" : "; flagged: " + string.Join(", ", flagged.Select(r => $"{r.Name} {r.Flag} ({r.Log10Ratio:F2})"))),
        };
    }
}
