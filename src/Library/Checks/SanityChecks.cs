using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

/// <summary>
/// Karpathy's "recipe for training neural networks" checks, each on a model and a task. Checks on a
/// given model leave its weights as they were except where noted; checks given a factory build
/// their own fresh models (seeded) and dispose them.
/// </summary>
public static partial class SanityChecks
{
    /// <summary>The logits of a training batch have the task's shape and are finite.</summary>
    public static ShapeCheck Shape(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        var expected = task.LogitsShape(4);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        try
        {
            var logits = model.call(task.Sample(4, o.Seed, Split.Train, model.device).Input);
            bool shapeOk = logits.shape.SequenceEqual(expected);
            bool finite = logits.isfinite().all().ToBoolean();
            return new ShapeCheck
            {
                Passed = shapeOk && finite, Expected = expected, Actual = logits.shape, AllFinite = finite,
                Summary = $"logits [{string.Join(", ", logits.shape)}], expected [{string.Join(", ", expected)}]" + (finite ? "" : "; some are not finite"),
            };
        }
        // Whatever a hand-written forward throws (a shape error, an index out of range, a null field) is the finding.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ShapeCheck
            {
                Passed = false, Expected = expected, Actual = Array.Empty<long>(), AllFinite = false,
                Summary = $"forward failed on input [{string.Join(", ", new long[] { 4 }.Concat(task.InputShape()))}]: {e.Message}",
            };
        }
    }

    /// <summary>The untrained loss is within a relative tolerance of ln(classes).</summary>
    public static InitialLossCheck InitialLoss(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        var (loss, _) = Evaluation.Evaluate(model, task, Split.Train, batches: 1, batchSize: Math.Max(o.BatchSize, 256));
        double expected = task.ExpectedInitialLoss;
        bool passed = Math.Abs(loss - expected) <= o.InitialLossTolerance * expected;
        return new InitialLossCheck
        {
            Passed = passed, Expected = expected, Actual = loss, RelativeTolerance = o.InitialLossTolerance,
            Summary = $"loss {loss:F4} at init, ln({task.NumClasses}) = {expected:F4}" +
                      (passed ? "" : loss > expected ? "; logits too confident at init (scale down the last layer)" : "; below chance at init: a label leak?"),
        };
    }

    /// <summary>Trains the model on a single small batch (this changes its weights) until the loss is near zero.</summary>
    public static OverfitBatchCheck OverfitOneBatch(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        manual_seed(o.Seed);
        using var batch = task.Sample(o.OverfitBatchSize, o.Seed, Split.Train, model.device);
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = optim.AdamW(parameters, o.OverfitLearningRate ?? 3 * o.LearningRate, weight_decay: 0);
        bool wasTraining = model.training;
        model.train();
        double initial = double.NaN, loss = double.NaN;
        int steps = 0;
        try
        {
            for (; steps <= o.OverfitMaxSteps; steps++)
            {
                using var scope = NewDisposeScope();
                var lossTensor = task.ComputeLoss(model.call(batch.Input), batch.Target);
                loss = lossTensor.ToDouble();
                if (steps == 0) initial = loss;
                if (loss <= o.OverfitThreshold || !double.IsFinite(loss) || steps == o.OverfitMaxSteps) break;
                optimizer.zero_grad();
                lossTensor.backward();
                optimizer.step();
            }
        }
        finally { model.train(wasTraining); }
        double accuracy;
        using (NewDisposeScope())
        using (no_grad())
        {
            model.eval();
            accuracy = task.Accuracy(model.call(batch.Input), batch.Target);
            model.train(wasTraining);
        }
        bool passed = loss <= o.OverfitThreshold;
        return new OverfitBatchCheck
        {
            Passed = passed, BatchSize = o.OverfitBatchSize, InitialLoss = initial, FinalLoss = loss, FinalAccuracy = accuracy,
            StepsTaken = steps, Threshold = o.OverfitThreshold,
            Summary = $"loss {initial:F3} -> {loss:G3} on {o.OverfitBatchSize} examples in {steps} steps ({accuracy:P0} right)" +
                      (passed ? "" : $"; did not reach {o.OverfitThreshold}: a bug, too little capacity, or a learning rate that is off"),
        };
    }

    /// <summary>
    /// Trains two fresh models the same way, one on real inputs and one on zeroed inputs; the real one
    /// must reach a clearly lower test loss, or the model is not using its input.
    /// </summary>
    public static InputIndependenceCheck InputIndependentBaseline(Func<Module<Tensor, Tensor>> factory, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        return InputIndependentBaseline(t =>
        {
            manual_seed(o.Seed);
            using var model = Build(factory, o);
            return new Trainer(BaselineTraining(o)).Fit(model, t).Metric("test_loss");
        }, task, o);
    }

    /// <summary>
    /// The same comparison on the model itself: trained from its current weights once on real and once
    /// on zeroed inputs, its weights restored after each run (so the model comes back unchanged).
    /// </summary>
    public static InputIndependenceCheck InputIndependentBaseline(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null)
    {
        var o = options ?? new SanityOptions();
        using var snapshot = new WeightSnapshot(model);
        bool wasTraining = model.training;
        return InputIndependentBaseline(t =>
        {
            manual_seed(o.Seed);
            try { return new Trainer(BaselineTraining(o)).Fit(model, t).Metric("test_loss"); }
            finally { snapshot.Restore(); model.train(wasTraining); }
        }, task, o);
    }

    static TrainConfig BaselineTraining(SanityOptions o) => new()
    {
        Steps = o.BaselineSteps, BatchSize = o.BatchSize, LearningRate = o.LearningRate, EvalEvery = 0,
        EvalBatches = 2, EvalBatchSize = 128, Seed = o.Seed, WarmupSteps = 0, CosineDecay = false,
    };

    static InputIndependenceCheck InputIndependentBaseline(Func<ISyntheticTask, double> testLoss, ISyntheticTask task, SanityOptions o)
    {
        double real = testLoss(task), zeroed = testLoss(new ZeroedInputs(task));
        bool passed = real < zeroed * (1 - o.BaselineMargin);
        return new InputIndependenceCheck
        {
            Passed = passed, TestLossWithInputs = real, TestLossWithZeroedInputs = zeroed, Margin = o.BaselineMargin, Steps = o.BaselineSteps,
            Summary = $"test loss {real:F4} with inputs vs {zeroed:F4} with zeroed inputs after {o.BaselineSteps} steps" +
                      (passed ? "" : "; the model does no better with its inputs than without them"),
        };
    }

    /// <summary>A fresh model from the factory on the options' device (built where the factory builds it, then moved).</summary>
    internal static Module<Tensor, Tensor> Build(Func<Module<Tensor, Tensor>> factory, SanityOptions o)
    {
        var model = factory();
        if (model.device != o.Device) model.to(o.Device);
        return model;
    }

    /// <summary>The task with every input replaced by zeros (targets unchanged).</summary>
    sealed class ZeroedInputs(ISyntheticTask inner) : ISyntheticTask
    {
        public string Name => inner.Name + "-zeroed";
        public string Description => inner.Description + " (inputs zeroed)";
        public LossKind Loss => inner.Loss;
        public long NumClasses => inner.NumClasses;
        public long? VocabSize => inner.VocabSize;
        public ScalarType InputDType => inner.InputDType;
        public bool HasGeneralizationSplit => inner.HasGeneralizationSplit;
        public double ExpectedInitialLoss => inner.ExpectedInitialLoss;
        public long[] InputShape(Split split = Split.Train) => inner.InputShape(split);
        public long[] LogitsShape(long batchSize, Split split = Split.Train) => inner.LogitsShape(batchSize, split);
        public Tensor ComputeLoss(Tensor logits, Tensor target, double labelSmoothing = 0) => inner.ComputeLoss(logits, target, labelSmoothing);
        public double Accuracy(Tensor logits, Tensor target) => inner.Accuracy(logits, target);
        public TaskBatch Sample(int batchSize, long seed, Split split = Split.Train, Device? device = null)
        {
            var batch = inner.Sample(batchSize, seed, split, device);
            var zeroed = zeros_like(batch.Input);
            batch.Input.Dispose();
            return batch with { Input = zeroed };
        }
    }
}
