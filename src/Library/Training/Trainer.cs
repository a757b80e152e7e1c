using System.Diagnostics;
using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Runtime;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// The training loop: the recipe's optimizer and schedule (AdamW, warmup then cosine by default; see
/// <see cref="TrainingRecipe"/>), gradient clipping, divergence detection, periodic evaluation,
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

    /// <summary>Where and when to save checkpoints (null: none).</summary>
    public CheckpointPolicy? Checkpoints { get; init; }

    /// <summary>Trains <paramref name="model"/> on <paramref name="task"/>; its train/eval mode is restored afterwards.</summary>
    public TrainingResult Fit(Module<Tensor, Tensor> model, ISyntheticTask task, CancellationToken cancellation = default) =>
        Run(model, task, null, cancellation);

    /// <summary>
    /// Continues the run saved in <paramref name="checkpoint"/> (a checkpoint's JSON or tensors file, or a
    /// checkpoint directory: its latest) up to <see cref="TrainConfig.Steps"/>. The result's histories
    /// include the saved ones, so a resumed run reports what an uninterrupted one would.
    /// </summary>
    public TrainingResult Resume(Module<Tensor, Tensor> model, ISyntheticTask task, string checkpoint, CancellationToken cancellation = default) =>
        Run(model, task, Checkpoint.Read(checkpoint), cancellation);

    TrainingResult Run(Module<Tensor, Tensor> model, ISyntheticTask task, Checkpoint? resume, CancellationToken cancellation)
    {
        var cfg = Config;
        EvaluationPlan.CheckEarlyStopping(cfg);
        Checkpoints?.Validate();
        // A part the optimizer cannot see would silently stay at its initial values.
        Registration.Require(model, $"{model.GetType().Name} cannot be trained as it is");
        // A Fit called from a notebook cell stops on the cell's interrupt even when no token was passed.
        cancellation = Interruption.With(cancellation);
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
        // Named only when logged; frozen parameters are not trained, so they have no statistics either.
        var named = cfg.ParameterStatsEvery > 0 ? model.named_parameters().Where(p => p.parameter.requires_grad).ToArray() : [];
        using var optimizer = TrainingRecipe.CreateOptimizer(parameters, cfg);
        var scheduler = TrainingRecipe.CreateScheduler(optimizer, cfg);
        var divergence = new DivergenceWatch(cfg.DivergenceFactor, cfg.DivergencePatience);
        string? stopDetail = null;
        var device = model.device;
        var periodic = EvaluationPlan.Periodic(cfg);
        var recipe = TrainingRecipe.Of(cfg);
        // Training batches pass through the recipe's augmentations; evaluation reads the task's own.
        var train = cfg.Augmentations is { Count: > 0 } augmentations ? new AugmentedTask(task, augmentations.ToArray()) : task;
        ProcessMemory.ResetPeak();
        long peakMemory = ProcessMemory.Read().PeakResidentBytes;
        if (resume is not null)
        {
            ResumeChecks(resume, recipe, cfg);
            resume.Restore(model, optimizer, scheduler);
            step = resume.Step;
            losses.AddRange(resume.Losses);
            evals.AddRange(resume.Evals);
            (bestStep, sinceBest) = (resume.BestStep, resume.SinceBest);
            best = resume.BestMetric ?? double.NaN;
            divergence.Resume(resume.InitialLoss, resume.StepsAbove);
        }
        string SaveCheckpoint(string name)
        {
            var state = new CheckpointState(step, cfg.Seed, recipe, losses, evals, bestStep is null ? null : best, bestStep, sinceBest,
                divergence.InitialLoss, divergence.StepsAbove);
            var path = Checkpoint.Save(Checkpoints!.Directory, name, model, optimizer, scheduler, state);
            Report(new CheckpointSaved(step, name, path));
            return path;
        }
        string? bestCheckpoint = null;
        long firstStep = step;
        using var dropout = TrainingRecipe.OverrideDropout(model, cfg.Dropout);
        bool selectedBest = false;   // the weights were put back to the best validation step's
        model.train();
        try
        {
            while (step < cfg.Steps)
            {
                // The interval checkpoint of the previous step, saved here so that it holds everything that
                // step did (its evaluation and early-stopping bookkeeping); the last step's is "final".
                if (Checkpoints is { Every: > 0 } every && step > firstStep && step % every.Every == 0) SaveCheckpoint($"step-{step:D8}");
                if (cancellation.IsCancellationRequested) { reason = StopReason.Interrupted; break; }
                // Everything random in a step (dropout, noise in the model) draws from generators seeded by
                // (seed, step): a run resumed at any step draws what the uninterrupted run drew there.
                manual_seed(Rng.Mix(cfg.Seed, step, StepRandomStream));
                stepTime.Start();
                double? loss = null, gradNorm = null;
                using (var scope = NewDisposeScope())
                {
                    var batch = train.Sample(cfg.BatchSize, Rng.Mix(cfg.Seed, step), Split.Train, device);
                    var activations = cfg.ActivationStatsEvery > 0 && (step + 1) % cfg.ActivationStatsEvery == 0 ? ActivationStatistics.Record(model) : null;
                    var logits = model.call(batch.Input);
                    activations?.Dispose();
                    var lossTensor = cfg.Loss is { } custom ? custom.Of(logits, batch.Target, train) : train.ComputeLoss(logits, batch.Target, cfg.LabelSmoothing);
                    if (model is IAuxiliaryLoss auxiliary && auxiliary.AuxiliaryLoss() is { } aux) lossTensor = lossTensor.add(aux);
                    optimizer.zero_grad();
                    lossTensor.backward();
                    var update = cfg.ParameterStatsEvery > 0 && (step + 1) % cfg.ParameterStatsEvery == 0 ? ParameterStatistics.Begin(named) : null;
                    Tensor? norm = cfg.ClipGradNorm is { } maxNorm ? nn.utils.clip_grad_norm_(parameters, maxNorm) : null;
                    double lr = optimizer.param_groups[0].lr;
                    optimizer.step();
                    var updated = update?.Finish();
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
                    if (activations is not null) Report(new ActivationsEvent(step, activations.Layers));
                    if (updated is not null) Report(new ParametersEvent(step, updated));
                }
                stepTime.Stop();
                if (cfg.MemoryEvery > 0 && (step % cfg.MemoryEvery == 0 || step == cfg.Steps))
                {
                    var reading = ProcessMemory.Read();
                    peakMemory = Math.Max(peakMemory, reading.PeakResidentBytes);
                    Report(new MemoryEvent(step, reading));
                }
                if (loss is { } l && divergence.Observe(step, l) is { } why) { (reason, stopDetail) = (StopReason.Diverged, why); break; }

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
                    if (Checkpoints is { Best: true }) bestCheckpoint = SaveCheckpoint("best");
                }
                else sinceBest++;
                if (es.Reached(value)) { reason = StopReason.TargetReached; break; }
                if (sinceBest >= es.Patience) { reason = StopReason.EarlyStopped; break; }
            }
            if (Checkpoints is { AtEnd: true } && step > 0 && reason != StopReason.Diverged) SaveCheckpoint("final");
            // Model selection on validation: the best evaluation's weights, however training ended (an interrupt keeps its last step).
            if (bestState is not null && reason != StopReason.Interrupted) { model.load_state_dict(bestState); selectedBest = true; }
            if (Checkpoints is { LoadBestAtEnd: true } && bestCheckpoint is not null) { Checkpoint.Read(bestCheckpoint).RestoreWeights(model); selectedBest = true; }
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
            bool sameWeights = evals.Count > 0 && evals[^1].Step == step && !(selectedBest && bestStep != step);
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
            FinalMetrics = final, BestStep = bestStep, WallTime = wall.Elapsed, StopDetail = stopDetail,
            StepsPerSecond = stepTime.Elapsed.TotalSeconds > 0 ? (step - firstStep) / stepTime.Elapsed.TotalSeconds : 0,
            PeakMemoryBytes = Math.Max(peakMemory, ProcessMemory.Read().PeakResidentBytes),
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

    /// <summary>Keeps the per-step reseeding apart from the batch seeds, which mix (seed, step) alone.</summary>
    const long StepRandomStream = 0x7261_6e64;

    static void ResumeChecks(Checkpoint resume, IReadOnlyDictionary<string, object?> recipe, TrainConfig cfg)
    {
        if (resume.Seed != cfg.Seed)
            throw new ArgumentException($"the checkpoint was trained with seed {resume.Seed}, this config has seed {cfg.Seed}: resuming would not continue the same run");
        if (resume.Step > cfg.Steps)
            throw new ArgumentException($"the checkpoint is at step {resume.Step}, past this config's {cfg.Steps} steps");
        var differences = resume.RecipeDifferences(recipe);
        if (differences.Count > 0)
            throw new ArgumentException($"the checkpoint's recipe differs from this config's in {string.Join(", ", differences)}; resume with the recipe it was trained with");
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
