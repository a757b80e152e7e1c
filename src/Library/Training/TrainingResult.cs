namespace ArchNotebooks.Library.Training;

/// <summary>Something that happened during training, reported to callbacks.</summary>
public abstract record TrainingEvent(long Step);

/// <summary>A step finished; reported every <see cref="TrainConfig.LogEvery"/> steps. Step counts from 1.</summary>
public sealed record StepEvent(long Step, int TotalSteps, double Loss, double LearningRate, double? GradNorm, TimeSpan Elapsed)
    : TrainingEvent(Step);

/// <summary>An evaluation finished, with metrics such as test_loss and test_accuracy.</summary>
public sealed record EvalEvent(long Step, IReadOnlyDictionary<string, double> Metrics) : TrainingEvent(Step);

/// <summary>Training ended (completed, stopped early, interrupted or diverged).</summary>
public sealed record TrainingEnded(long Step, TrainingResult Result) : TrainingEvent(Step);

/// <summary>Per-layer activation statistics of a step's training forward; every <see cref="TrainConfig.ActivationStatsEvery"/> steps.</summary>
public sealed record ActivationsEvent(long Step, IReadOnlyList<ArchNotebooks.Library.Analysis.LayerActivations> Layers) : TrainingEvent(Step);

/// <summary>Every trained parameter's gradient norm and update ratio at a step; every <see cref="TrainConfig.ParameterStatsEvery"/> steps.</summary>
public sealed record ParametersEvent(long Step, IReadOnlyList<ArchNotebooks.Library.Analysis.ParameterStep> Parameters) : TrainingEvent(Step);

/// <summary>The process's memory after a step; every <see cref="TrainConfig.MemoryEvery"/> steps.</summary>
public sealed record MemoryEvent(long Step, ArchNotebooks.Library.Runtime.MemoryReading Memory) : TrainingEvent(Step);

/// <summary>The training loss read back at a step.</summary>
public readonly record struct LossPoint(long Step, double Loss);

/// <summary>The metrics of one evaluation.</summary>
public sealed record EvalPoint(long Step, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Why training ended.</summary>
public enum StopReason { Completed, EarlyStopped, TargetReached, Interrupted, Diverged }

/// <summary>What a training run did: histories, final metrics, timing.</summary>
public sealed record TrainingResult
{
    public required int StepsPlanned { get; init; }
    public required long StepsCompleted { get; init; }
    public required StopReason Reason { get; init; }
    /// <summary>True when a cancellation stopped training between steps; the histories are partial.</summary>
    public bool Interrupted => Reason == StopReason.Interrupted;
    public required IReadOnlyList<LossPoint> LossHistory { get; init; }
    public required IReadOnlyList<EvalPoint> EvalHistory { get; init; }
    /// <summary>The last evaluation's metrics plus train_loss (mean of the last logged losses, up to 10).</summary>
    public required IReadOnlyDictionary<string, double> FinalMetrics { get; init; }
    /// <summary>Why the run stopped, in words, when the reason needs them (what diverged, and where).</summary>
    public string? StopDetail { get; init; }
    /// <summary>The step whose evaluation was best under early stopping (null without it).</summary>
    public long? BestStep { get; init; }
    public required TimeSpan WallTime { get; init; }
    /// <summary>Optimizer steps per second of step time (evaluation excluded).</summary>
    public required double StepsPerSecond { get; init; }
    /// <summary>The process's peak resident set during the run, in bytes (host memory; see <see cref="ArchNotebooks.Library.Runtime.ProcessMemory"/>).</summary>
    public long? PeakMemoryBytes { get; init; }

    public double Metric(string name) => FinalMetrics.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"no final metric '{name}'; there are: {string.Join(", ", FinalMetrics.Keys)}");

    public override string ToString() =>
        $"{Reason} after {StepsCompleted}/{StepsPlanned} steps in {WallTime.TotalSeconds:F1}s ({StepsPerSecond:F0} steps/s): " +
        string.Join(", ", FinalMetrics.Select(m => $"{m.Key} {m.Value:G4}"));
}
