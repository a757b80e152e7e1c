using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch.Optim;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// Everything a training run needs besides the model and the task. A record, so a sweep is
/// <c>config with { LearningRate = 1e-3 }</c> and two runs with equal configs and seeds match.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Optimizer steps (one batch each).</summary>
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate of AdamW (3e-4 is Karpathy's safe default; tiny synthetic tasks like 1e-3 to 3e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>When false (nanoGPT's choice), biases and norm gains (tensors of fewer than 2 dimensions) are not decayed.</summary>
    public bool DecayBiasesAndNorms { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Linear warmup from 0 over this many steps.</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Cosine decay from the peak to <see cref="MinLearningRate"/> at the last step; otherwise constant after warmup.</summary>
    public bool CosineDecay { get; init; } = true;
    public double MinLearningRate { get; init; }

    /// <summary>Which optimizer trains (AdamW unless set); <see cref="TrainingRecipe"/> builds it from these fields.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    /// <summary>Adam and AdamW's denominator epsilon.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>SGD's and Shampoo's momentum.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum for SGD.</summary>
    public bool Nesterov { get; init; }
    /// <summary>Shampoo recomputes its preconditioners' inverse roots every this many steps.</summary>
    public int PreconditionerUpdateEvery { get; init; } = 10;
    /// <summary>Shampoo's largest preconditioned block side (block-diagonal preconditioners beyond it).</summary>
    public int PreconditionerBlockSize { get; init; } = 128;
    /// <summary>Shampoo's statistics start at this times the identity.</summary>
    public double PreconditionerEps { get; init; } = 1e-4;

    /// <summary>What the lr does after warmup; null keeps the older switch: cosine when <see cref="CosineDecay"/>, else constant.</summary>
    public Decay? Schedule { get; init; }
    /// <summary>Exponential decay multiplies the lr by this every step, step decay every <see cref="DecayStepSize"/> steps.</summary>
    public double DecayGamma { get; init; } = 0.995;
    public int DecayStepSize { get; init; } = 100;

    /// <summary>Sets every Dropout layer of the model to this rate while training (null: the model's own rates).</summary>
    public double? Dropout { get; init; }

    /// <summary>
    /// The run diverges (and stops) when the logged loss stays above this multiple of the first logged loss
    /// for <see cref="DivergencePatience"/> logged steps in a row; a non-finite loss diverges at once. Null: only non-finite.
    /// </summary>
    public double? DivergenceFactor { get; init; } = 10;
    public int DivergencePatience { get; init; } = 5;

    /// <summary>The loss to minimise (null: the task's own, with <see cref="LabelSmoothing"/>); a built-in or your own, see <see cref="TrainingLoss"/>.</summary>
    public TrainingLoss? Loss { get; init; }

    /// <summary>Changes applied to every training batch, in order (mixup, random masking); held-out batches are never augmented.</summary>
    public IReadOnlyList<Augmentation>? Augmentations { get; init; }

    /// <summary>Clip the global gradient norm to this value (null: no clipping).</summary>
    public double? ClipGradNorm { get; init; } = 1.0;
    public double LabelSmoothing { get; init; }

    /// <summary>Evaluate every this many steps (and always after the last one); 0 evaluates only at the end.</summary>
    public int EvalEvery { get; init; } = 100;
    /// <summary>Batches per evaluated split. Evaluation batches come from fixed seeds, the same for every run.</summary>
    public int EvalBatches { get; init; } = 2;
    public int EvalBatchSize { get; init; } = 256;
    /// <summary>
    /// Splits to evaluate; metrics are named "{split}_loss" and "{split}_accuracy" (e.g. test_accuracy), or "{split}_rmse" for a regression dataset.
    /// Validation (and Train) are evaluated every <see cref="EvalEvery"/> steps and drive early stopping;
    /// Test and Generalization only once, at the end, on the model selection kept (<see cref="EvaluationPlan"/>).
    /// </summary>
    public Split[] EvalSplits { get; init; } = { Split.Validation, Split.Test };

    /// <summary>Stop when an evaluated metric stops improving or reaches a target (null: never).</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Seeds torch (dropout, any sampling in the model) and the training batches.</summary>
    public long Seed { get; init; }

    /// <summary>Read the loss back every this many steps (each read waits for the device).</summary>
    public int LogEvery { get; init; } = 1;

    /// <summary>Summarise every layer's output (mean, std, dead and saturated fractions, norm) during the training
    /// forward of every this many steps; 0 (the default) never. Each summary waits for the device a few times per layer.</summary>
    public int ActivationStatsEvery { get; init; }

    /// <summary>Log every trained parameter's gradient norm and update-to-weight ratio at every this many steps; 0 never.
    /// On by default so every run has its gradient-flow picture: a logged step copies the trained weights once and waits
    /// for the device once, which at every 50th step costs little beside the loss read back every step.</summary>
    public int ParameterStatsEvery { get; init; } = 50;

    /// <summary>Read the process's memory (resident set and its peak since the run began) every this many steps; 0 never.</summary>
    public int MemoryEvery { get; init; } = 10;

    internal void Validate()
    {
        if (Steps < 0) throw new ArgumentException($"Steps must not be negative, got {Steps}");
        if (BatchSize <= 0 || EvalBatchSize <= 0) throw new ArgumentException("batch sizes must be positive");
        if (LearningRate <= 0 || double.IsNaN(LearningRate)) throw new ArgumentException($"LearningRate must be positive, got {LearningRate}");
        if (WarmupSteps < 0) throw new ArgumentException($"WarmupSteps must not be negative, got {WarmupSteps}");
        if (ActivationStatsEvery < 0 || MemoryEvery < 0 || ParameterStatsEvery < 0)
            throw new ArgumentException("ActivationStatsEvery, ParameterStatsEvery and MemoryEvery must be >= 0 (0 turns them off)");
        if (EvalEvery < 0 || EvalBatches <= 0 || LogEvery <= 0) throw new ArgumentException("EvalEvery must be >= 0, EvalBatches and LogEvery positive");
        if (ClipGradNorm is <= 0) throw new ArgumentException($"ClipGradNorm must be positive, got {ClipGradNorm}");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentException($"unknown optimizer {Optimizer}");
        if (Schedule is { } d && !Enum.IsDefined(d)) throw new ArgumentException($"unknown schedule {d}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay must not be negative, got {WeightDecay}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"Momentum must be in [0, 1), got {Momentum}");
        if (Nesterov && (Optimizer != OptimizerKind.SGD || Momentum == 0)) throw new ArgumentException("Nesterov needs the SGD optimizer and a nonzero Momentum");
        if (!(DecayGamma > 0 && DecayGamma <= 1)) throw new ArgumentException($"DecayGamma must be in (0, 1], got {DecayGamma}");
        if (DecayStepSize <= 0) throw new ArgumentException($"DecayStepSize must be positive, got {DecayStepSize}");
        if (!(MinLearningRate >= 0)) throw new ArgumentException($"MinLearningRate must not be negative, got {MinLearningRate}");
        if (PreconditionerUpdateEvery <= 0 || PreconditionerBlockSize <= 0 || !(PreconditionerEps > 0))
            throw new ArgumentException("PreconditionerUpdateEvery, PreconditionerBlockSize and PreconditionerEps must be positive");
        if (Dropout is { } p && !(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout must be in [0, 1], got {p}");
        if (LabelSmoothing is < 0 or > 1 || double.IsNaN(LabelSmoothing)) throw new ArgumentException($"LabelSmoothing must be in [0, 1], got {LabelSmoothing}");
        if (Loss is not null && LabelSmoothing != 0)
            throw new ArgumentException($"LabelSmoothing ({LabelSmoothing}) applies to the task's own loss; with Loss = {Loss.Name}, use TrainingLoss.LabelSmoothing({LabelSmoothing}) instead");
        if (DivergenceFactor is { } f && !(f > 1)) throw new ArgumentException($"DivergenceFactor must exceed 1, got {f}");
        if (DivergencePatience <= 0) throw new ArgumentException($"DivergencePatience must be positive, got {DivergencePatience}");
    }
}

/// <summary>
/// Stops training when <see cref="Metric"/> has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> evaluations, or as soon as it reaches <see cref="Target"/>.
/// </summary>
public sealed record EarlyStopping
{
    /// <summary>A metric of a split evaluated during training: validation_loss by default (never a test metric; see <see cref="EvaluationPlan"/>).</summary>
    public string Metric { get; init; } = "validation_loss";
    public bool HigherIsBetter { get; init; }
    public int Patience { get; init; } = 3;
    public double MinDelta { get; init; }
    /// <summary>Stop once the metric is at least this good (e.g. test_accuracy 0.99).</summary>
    public double? Target { get; init; }
    /// <summary>Put back the weights of the best evaluation when training ends, early or not, unless interrupted (costs one copy of the weights); the test split is then read on those weights.</summary>
    public bool RestoreBest { get; init; }

    internal bool Improves(double candidate, double best) =>
        HigherIsBetter ? candidate > best + MinDelta : candidate < best - MinDelta;

    internal bool Reached(double value) => Target is { } t && (HigherIsBetter ? value >= t : value <= t);
}
