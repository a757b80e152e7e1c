using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>The optimizers a <see cref="TrainConfig"/> can name.</summary>
public enum OptimizerKind { AdamW, Adam, SGD, Lion, Shampoo }

/// <summary>
/// The training recipe of a <see cref="TrainConfig"/>: what builds the optimizer and the learning-rate
/// schedule, and the fields that say how the model was trained (as opposed to how the run was
/// evaluated or logged). The Trainer builds through here and the run log records <see cref="Of"/>.
/// </summary>
public static class TrainingRecipe
{
    /// <summary>
    /// The recipe's fields by name, in a fixed order, with only the settings the chosen optimizer and
    /// schedule use (Lion has no eps, a constant schedule no gamma), so a logged recipe reads as it ran.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Of(TrainConfig c)
    {
        var r = new Dictionary<string, object?>
        {
            ["optimizer"] = c.Optimizer.ToString().ToLowerInvariant(),
            ["lr"] = c.LearningRate,
        };
        switch (c.Optimizer)
        {
            case OptimizerKind.AdamW or OptimizerKind.Adam:
                (r["beta1"], r["beta2"], r["eps"]) = (c.Beta1, c.Beta2, c.Eps);
                break;
            case OptimizerKind.Lion:
                (r["beta1"], r["beta2"]) = (c.Beta1, c.Beta2);
                break;
            case OptimizerKind.SGD:
                (r["momentum"], r["nesterov"]) = (c.Momentum, c.Nesterov);
                break;
            case OptimizerKind.Shampoo:
                (r["momentum"], r["preconditioner_eps"], r["preconditioner_every"], r["preconditioner_block"]) =
                    (c.Momentum, c.PreconditionerEps, c.PreconditionerUpdateEvery, c.PreconditionerBlockSize);
                break;
        }
        r["weight_decay"] = c.WeightDecay;
        r["decay_biases_and_norms"] = c.DecayBiasesAndNorms;
        var decay = EffectiveSchedule(c);
        r["schedule"] = decay.ToString().ToLowerInvariant();
        r["warmup_steps"] = c.WarmupSteps;
        if (decay != Decay.Constant) r["min_lr"] = c.MinLearningRate;
        if (decay is Decay.Exponential or Decay.Step) r["decay_gamma"] = c.DecayGamma;
        if (decay == Decay.Step) r["decay_step_size"] = c.DecayStepSize;
        r["label_smoothing"] = c.LabelSmoothing;
        r["clip_grad_norm"] = c.ClipGradNorm;
        r["dropout"] = c.Dropout;
        r["loss"] = c.Loss?.Name ?? "cross_entropy";
        // Only when set, so recipes (and checkpoints) from before augmentation existed read the same.
        if (c.Augmentations is { Count: > 0 } augmentations) r["augmentation"] = string.Join(", ", augmentations.Select(a => a.Name));
        r["batch_size"] = c.BatchSize;
        r["steps"] = c.Steps;
        return r;
    }

    /// <summary>The decay after warmup: <see cref="TrainConfig.Schedule"/>, or cosine/constant from the older CosineDecay switch.</summary>
    public static Decay EffectiveSchedule(TrainConfig c) => c.Schedule ?? (c.CosineDecay ? Decay.Cosine : Decay.Constant);

    /// <summary>
    /// The configured optimizer over <paramref name="parameters"/>. Unless DecayBiasesAndNorms, tensors of
    /// fewer than 2 dimensions (biases, norm gains) go in a second group without weight decay.
    /// </summary>
    public static Optimizer CreateOptimizer(Tensor[] parameters, TrainConfig c)
    {
        if (parameters.Length == 0) throw new ArgumentException("the model has no trainable parameters");
        var decayed = c.DecayBiasesAndNorms ? parameters : parameters.Where(p => p.dim() >= 2).ToArray();
        var undecayed = c.DecayBiasesAndNorms ? Array.Empty<Tensor>() : parameters.Where(p => p.dim() < 2).ToArray();
        var first = decayed.Length > 0 ? decayed : undecayed;
        double wd = decayed.Length > 0 ? c.WeightDecay : 0;
        Optimizer optimizer = c.Optimizer switch
        {
            OptimizerKind.AdamW => optim.AdamW(first, c.LearningRate, c.Beta1, c.Beta2, c.Eps, wd),
            OptimizerKind.Adam => optim.Adam(first, c.LearningRate, c.Beta1, c.Beta2, c.Eps, wd),
            OptimizerKind.SGD => optim.SGD(first, c.LearningRate, c.Momentum, weight_decay: wd, nesterov: c.Nesterov),
            OptimizerKind.Lion => optim.Lion(first, c.LearningRate, c.Beta1, c.Beta2, wd),
            OptimizerKind.Shampoo => optim.Shampoo(first, c.LearningRate, c.Momentum, wd, c.PreconditionerEps,
                c.PreconditionerUpdateEvery, c.PreconditionerBlockSize),
            _ => throw new ArgumentException($"unknown optimizer {c.Optimizer}"),
        };
        if (decayed.Length > 0 && undecayed.Length > 0) AddUndecayed(optimizer, undecayed);
        return optimizer;
    }

    static void AddUndecayed(Optimizer optimizer, Tensor[] undecayed)
    {
        switch (optimizer)
        {
            case Adam a: a.add_param_group(undecayed, g => g with { weight_decay = 0 }); break;
            case SGD s: s.add_param_group(undecayed, g => g with { weight_decay = 0 }); break;
            case Lion l: l.add_param_group(undecayed, g => g with { weight_decay = 0 }); break;
            case Shampoo s: s.add_param_group(undecayed, g => g with { weight_decay = 0 }); break;
            default: throw new ArgumentException($"no undecayed group for {optimizer.GetType().Name}");
        }
    }

    /// <summary>Warmup then the configured decay to the last step (null: a constant lr with no warmup needs no scheduler).</summary>
    public static LRScheduler? CreateScheduler(Optimizer optimizer, TrainConfig c)
    {
        var decay = EffectiveSchedule(c);
        // Cosine and linear need steps left after warmup to decay over; with none, warmup alone is the schedule.
        if (decay is Decay.Cosine or Decay.Linear && c.Steps <= c.WarmupSteps) decay = Decay.Constant;
        if (decay == Decay.Constant)
            return c.WarmupSteps > 0 ? optim.lr_scheduler.LinearWarmupLR(optimizer, c.WarmupSteps) : null;
        if (decay == Decay.Cosine)
            return optim.lr_scheduler.WarmupCosineLR(optimizer, c.WarmupSteps, c.Steps, c.MinLearningRate);
        return optim.lr_scheduler.WarmupDecayLR(optimizer, c.WarmupSteps, c.Steps, decay, c.MinLearningRate, c.DecayGamma, c.DecayStepSize);
    }

    /// <summary>
    /// Sets every <see cref="Dropout"/> in <paramref name="model"/> to <paramref name="p"/> until disposed,
    /// then puts each one's own rate back; null changes nothing.
    /// </summary>
    public static IDisposable OverrideDropout(Module model, double? p)
    {
        if (p is not { } rate) return new Restore([]);
        var saved = model.modules().OfType<Dropout>().Select(d => (d, d.P)).ToList();
        foreach (var (d, _) in saved) d.P = rate;
        return new Restore(saved);
    }

    sealed class Restore(List<(Dropout layer, double p)> saved) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (layer, p) in saved) layer.P = p;
            saved.Clear();
        }
    }
}
