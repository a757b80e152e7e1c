using System.Diagnostics;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// The training loop: AdamW, linear warmup then cosine decay, gradient clipping, periodic evaluation,
/// early stopping and cooperative cancellation. Each step runs in its own dispose scope, so memory
/// stays flat however long it trains. Cancelling stops between steps: the model keeps the weights of
/// the last completed step and the result carries the partial history. Models that implement
/// <see cref="IAuxiliaryLoss"/> (a mixture of experts' balance loss) have that term added to the task loss.
/// </summary>
public sealed class Trainer
{
    readonly List<IProgress<TrainingEvent>> callbacks = new();

    public Trainer(TrainConfig? config = null, params IProgress<TrainingEvent>[] callbacks)
    {
        Config = config ?? new TrainConfig();
        Config.Validate();
        this.callbacks.AddRange(callbacks);
    }

    public TrainConfig Config { get; }

    /// <summary>Adds a callback for step, evaluation and end events (called on the training thread).</summary>
    public Trainer Subscribe(IProgress<TrainingEvent> callback)
    {
        callbacks.Add(callback);
        return this;
    }

    /// <summary>Adds a callback given as a delegate.</summary>
    public Trainer Subscribe(Action<TrainingEvent> callback) => Subscribe(new Callback(callback));

    /// <summary>Trains <paramref name="model"/> on <paramref name="task"/>; its train/eval mode is restored afterwards.</summary>
    public TrainingResult Fit(Module<Tensor, Tensor> model, ISyntheticTask task, CancellationToken cancellation = default)
    {
        var cfg = Config;
        EvaluationPlan.CheckEarlyStopping(cfg);
        manual_seed(cfg.Seed);
        var wall = Stopwatch.StartNew();
        var stepTime = new Stopwatch();
        var losses = new List<LossPoint>();
        var evals = new List<EvalPoint>();
        var reason = StopReason.Completed;
        long step = 0, sinceBest = 0;
        long? bestStep = null;
        double best = double.NaN;
        Dictionary<string, Tensor>? bestState = null;
        bool wasTraining = model.training;
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = CreateOptimizer(parameters, cfg);
        var scheduler = CreateScheduler(optimizer, cfg);
        var device = model.device;
        var periodic = EvaluationPlan.Periodic(cfg);
        model.train();
        try
        {
            while (step < cfg.Steps)
            {
                if (cancellation.IsCancellationRequested) { reason = StopReason.Interrupted; break; }
                stepTime.Start();
                double? loss = null, gradNorm = null;
                using (var scope = NewDisposeScope())
                {
                    var batch = task.Sample(cfg.BatchSize, Rng.Mix(cfg.Seed, step), Split.Train, device);
                    var logits = model.call(batch.Input);
                    var lossTensor = task.ComputeLoss(logits, batch.Target, cfg.LabelSmoothing);
                    if (model is IAuxiliaryLoss auxiliary && auxiliary.AuxiliaryLoss() is { } aux) lossTensor = lossTensor.add(aux);
                    optimizer.zero_grad();
                    lossTensor.backward();
                    Tensor? norm = cfg.ClipGradNorm is { } maxNorm ? nn.utils.clip_grad_norm_(parameters, maxNorm) : null;
                    double lr = optimizer.param_groups[0].lr;
                    optimizer.step();
                    scheduler?.step();
                    step++;
                    if (step % cfg.LogEvery == 0 || step == cfg.Steps)
                    {
                        loss = lossTensor.ToDouble();
                        gradNorm = norm?.ToDouble();
                        losses.Add(new LossPoint(step, loss.Value));
                        stepTime.Stop();
                        Report(new StepEvent(step, cfg.Steps, loss.Value, lr, gradNorm, wall.Elapsed));
                    }
                }
                stepTime.Stop();
                if (loss is { } l && !double.IsFinite(l)) { reason = StopReason.Diverged; break; }

                bool last = step == cfg.Steps;
                if (!last && (cfg.EvalEvery == 0 || step % cfg.EvalEvery != 0)) continue;
                if (periodic.Length == 0) continue;   // only end-of-training splits: read once, below
                var metrics = RunEvaluation(model, task, periodic, cfg, cancellation);
                evals.Add(new EvalPoint(step, metrics));
                if (!last) Report(new EvalEvent(step, metrics));   // the last step's is reported with the final evaluation, below
                if (cfg.EarlyStopping is not { } es) continue;
                if (!metrics.TryGetValue(es.Metric, out var value))
                    throw new ArgumentException($"early stopping watches '{es.Metric}', which is not evaluated; evaluated: {string.Join(", ", metrics.Keys)}");
                if (bestStep is null || es.Improves(value, best))
                {
                    (best, bestStep, sinceBest) = (value, step, 0);
                    if (es.RestoreBest) bestState = Snapshot(model, bestState);
                }
                else sinceBest++;
                if (es.Reached(value)) { reason = StopReason.TargetReached; break; }
                if (sinceBest >= es.Patience) { reason = StopReason.EarlyStopped; break; }
            }
            // Model selection on validation: the best evaluation's weights, however training ended (an interrupt keeps its last step).
            if (bestState is not null && reason != StopReason.Interrupted) model.load_state_dict(bestState);
        }
        finally
        {
            if (bestState is not null) foreach (var t in bestState.Values) t.Dispose();
            model.train(wasTraining);
        }

        // The final evaluation: every split (test and generalization for the first time) on the weights the
        // run ends with, unless it never stepped. It joins the last evaluation when that was at this step
        // on these same weights, so each step has one point.
        if (step > 0)
        {
            bool sameWeights = evals.Count > 0 && evals[^1].Step == step && !(bestState is not null && reason != StopReason.Interrupted && bestStep != step);
            var metrics = sameWeights ? new Dictionary<string, double>(evals[^1].Metrics) : new Dictionary<string, double>();
            foreach (var (name, value) in RunEvaluation(model, task, cfg.EvalSplits.Where(s => !sameWeights || EvaluationPlan.IsHeldOutForTheEnd(s)).Distinct().ToArray(), cfg, CancellationToken.None))
                metrics[name] = value;
            if (sameWeights) evals[^1] = new EvalPoint(step, metrics);
            else evals.Add(new EvalPoint(step, metrics));
            Report(new EvalEvent(step, metrics));
        }
        var final = new Dictionary<string, double>(evals.Count > 0 ? evals[^1].Metrics : new Dictionary<string, double>());
        if (losses.Count > 0) final["train_loss"] = losses.TakeLast(10).Average(p => p.Loss);
        var result = new TrainingResult
        {
            StepsPlanned = cfg.Steps, StepsCompleted = step, Reason = reason, LossHistory = losses, EvalHistory = evals,
            FinalMetrics = final, BestStep = bestStep, WallTime = wall.Elapsed,
            StepsPerSecond = stepTime.Elapsed.TotalSeconds > 0 ? step / stepTime.Elapsed.TotalSeconds : 0,
        };
        Report(new TrainingEnded(step, result));
        return result;
    }

    static Dictionary<string, double> RunEvaluation(Module<Tensor, Tensor> model, ISyntheticTask task, Split[] splits, TrainConfig cfg, CancellationToken ct)
    {
        var metrics = new Dictionary<string, double>();
        foreach (var split in splits)
        {
            if (split == Split.Generalization && !task.HasGeneralizationSplit) continue;
            var (loss, accuracy) = Evaluation.Evaluate(model, task, split, cfg.EvalBatches, cfg.EvalBatchSize, ct);
            metrics[Evaluation.LossName(split)] = loss;
            metrics[Evaluation.MetricName(split, task)] = accuracy;
        }
        return metrics;
    }

    static AdamW CreateOptimizer(Tensor[] parameters, TrainConfig cfg)
    {
        if (parameters.Length == 0) throw new ArgumentException("the model has no trainable parameters");
        var decayed = cfg.DecayBiasesAndNorms ? parameters : parameters.Where(p => p.dim() >= 2).ToArray();
        var undecayed = cfg.DecayBiasesAndNorms ? Array.Empty<Tensor>() : parameters.Where(p => p.dim() < 2).ToArray();
        var first = decayed.Length > 0 ? decayed : undecayed;
        var optimizer = optim.AdamW(first, cfg.LearningRate, cfg.Beta1, cfg.Beta2, weight_decay: decayed.Length > 0 ? cfg.WeightDecay : 0);
        if (decayed.Length > 0 && undecayed.Length > 0) optimizer.add_param_group(undecayed, g => g with { weight_decay = 0 });
        return optimizer;
    }

    static LRScheduler? CreateScheduler(Optimizer optimizer, TrainConfig cfg)
    {
        if (cfg.CosineDecay && cfg.Steps > cfg.WarmupSteps)
            return optim.lr_scheduler.WarmupCosineLR(optimizer, cfg.WarmupSteps, cfg.Steps, cfg.MinLearningRate);
        return cfg.WarmupSteps > 0 ? optim.lr_scheduler.LinearWarmupLR(optimizer, cfg.WarmupSteps) : null;
    }

    static Dictionary<string, Tensor> Snapshot(Module model, Dictionary<string, Tensor>? previous)
    {
        if (previous is not null) foreach (var t in previous.Values) t.Dispose();
        var copy = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
        {
            using (t) copy[name] = t.clone().DetachFromDisposeScope();
        }
        return copy;
    }

    void Report(TrainingEvent e)
    {
        foreach (var c in callbacks) c.Report(e);
    }

    sealed class Callback(Action<TrainingEvent> action) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => action(value);
    }
}
