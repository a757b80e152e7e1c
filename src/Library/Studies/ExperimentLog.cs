using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Library.Studies;

/// <summary>Who a validation run is: its study (group), variant, seed and config.</summary>
public sealed record ExperimentRunInfo
{
    public required string Group { get; init; }
    public required string Variant { get; init; }
    public required long Seed { get; init; }
    /// <summary>The model config (logged as config.model.*).</summary>
    public object? Config { get; init; }
    /// <summary>The training recipe (logged as config.train.*).</summary>
    public TrainConfig? Training { get; init; }
    /// <summary>The task or dataset trained on (logged as config.data.*; its name is <see cref="Task"/>).</summary>
    public ISyntheticTask? Data { get; init; }
    public string? Task { get; init; }
    public string? Family { get; init; }
    public long? ParameterCount { get; init; }
    /// <summary>Where the run trains, e.g. "cpu" or "cuda:0".</summary>
    public string? Device { get; init; }
    public string Name => $"{Group}/{Variant}/seed {Seed}";
}

/// <summary>Where ablation and scaling runs are recorded: in memory, or a <see cref="RunLog"/> on disk.</summary>
public interface IExperimentLog
{
    IRunRecorder StartRun(ExperimentRunInfo info);
}

/// <summary>One run being recorded. Exactly one of Finish, Fail or MarkInterrupted ends it.</summary>
public interface IRunRecorder : IDisposable
{
    void Log(long step, string name, double value);
    /// <summary>Records a measurement of the machine rather than the model (memory, say); by default an ordinary metric.</summary>
    void LogSystem(long step, string name, double value) => Log(step, name, value);
    void Finish(IReadOnlyDictionary<string, double> finalMetrics);
    void Fail(Exception error);
    /// <summary>Ends the run as failed for a reason that is not an exception, e.g. a diverged loss.</summary>
    void Fail(string message);
    void MarkInterrupted();
}

/// <summary>Keeps runs in memory (tests, quick notebook experiments).</summary>
public sealed class InMemoryExperimentLog : IExperimentLog
{
    readonly List<RecordedRun> runs = new();
    public IReadOnlyList<RecordedRun> Runs { get { lock (runs) return runs.ToList(); } }

    public IRunRecorder StartRun(ExperimentRunInfo info)
    {
        var run = new RecordedRun(info);
        lock (runs) runs.Add(run);
        return run;
    }
}

/// <summary>A run kept by <see cref="InMemoryExperimentLog"/>.</summary>
public sealed class RecordedRun(ExperimentRunInfo info) : IRunRecorder
{
    readonly List<(long Step, string Name, double Value)> metrics = new(), systemMetrics = new();
    public ExperimentRunInfo Info { get; } = info;
    public RunStatus Status { get; private set; } = RunStatus.Running;
    public string? Error { get; private set; }
    public IReadOnlyDictionary<string, double> FinalMetrics { get; private set; } = new Dictionary<string, double>();
    public IReadOnlyList<(long Step, string Name, double Value)> Metrics => metrics;
    public IEnumerable<(long Step, double Value)> History(string name) => metrics.Where(m => m.Name == name).Select(m => (m.Step, m.Value));

    public void Log(long step, string name, double value) { EnsureRunning(); metrics.Add((step, name, value)); }
    /// <summary>Measurements of the machine (memory), kept apart from the model's metrics as the run log keeps them.</summary>
    public IReadOnlyList<(long Step, string Name, double Value)> SystemMetrics => systemMetrics;
    public void LogSystem(long step, string name, double value) { EnsureRunning(); systemMetrics.Add((step, name, value)); }
    public void Finish(IReadOnlyDictionary<string, double> finalMetrics) { EnsureRunning(); (Status, FinalMetrics) = (RunStatus.Finished, finalMetrics); }
    public void Fail(Exception error) { EnsureRunning(); (Status, Error) = (RunStatus.Failed, $"{error.GetType().FullName}: {error.Message}"); }
    public void Fail(string message) { EnsureRunning(); (Status, Error) = (RunStatus.Failed, message); }
    public void MarkInterrupted() { EnsureRunning(); Status = RunStatus.Interrupted; }
    public void Dispose() { if (Status == RunStatus.Running) Status = RunStatus.Interrupted; }

    void EnsureRunning()
    {
        if (Status != RunStatus.Running) throw new InvalidOperationException($"run {Info.Name} has already ended ({Status})");
    }
}

/// <summary>Records runs in a <see cref="RunLog"/> directory: one run row per seed with group, variant, seed, config and final metrics.</summary>
public sealed class RunLogExperimentLog(RunLog log, string? source = null, string? device = null) : IExperimentLog
{
    public RunLog Log { get; } = log;

    public IRunRecorder StartRun(ExperimentRunInfo info) => new RunRecorder(Log.StartRun(new RunInfo
    {
        Name = info.Name, Group = info.Group, Variant = info.Variant, Seed = info.Seed, Config = RunConfig.Of(info.Config, info.Training, info.Data, info.Device ?? device),
        Task = info.Task, Family = info.Family, ParameterCount = info.ParameterCount, Source = source, Device = info.Device ?? device,
        TorchVersion = ArchNotebooks.Torch.torch.__version__,
    }));
}

/// <summary>A <see cref="Run"/> of the run log as a recorder, for training that is recorded outside a study (e.g. <c>#!arch train</c>).</summary>
public sealed class RunRecorder(Run run) : IRunRecorder
{
    public Run Run { get; } = run;
    public void Log(long step, string name, double value) => Run.Log(step, name, value);
    public void LogSystem(long step, string name, double value) => Run.LogSystem(step, name, value);
    public void Finish(IReadOnlyDictionary<string, double> finalMetrics) => Run.Finish(finalMetrics);
    public void Fail(Exception error) => Run.Fail(error);
    public void Fail(string message) => Run.Fail(message);
    public void MarkInterrupted() => Run.MarkInterrupted();
    public void Dispose() => Run.Dispose();
}

/// <summary>The run-log names of the memory the Trainer records (system metrics, in bytes).</summary>
public static class MemoryMetrics
{
    public const string Resident = "rss_bytes";
    public const string PeakResident = "peak_rss_bytes";
}

/// <summary>Forwards training events to a run recorder: train_loss, lr and grad_norm per logged step, every evaluated metric,
/// per-layer activation statistics, per-parameter gradient norms and update ratios, and memory when the config asks for them.</summary>
public sealed class RecorderProgress(IRunRecorder recorder) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value)
    {
        switch (value)
        {
            case StepEvent s:
                recorder.Log(s.Step, "train_loss", s.Loss);
                recorder.Log(s.Step, "lr", s.LearningRate);
                if (s.GradNorm is { } g) recorder.Log(s.Step, "grad_norm", g);
                break;
            case EvalEvent e:
                foreach (var (name, v) in e.Metrics) recorder.Log(e.Step, name, v);
                break;
            case ActivationsEvent a:
                foreach (var layer in a.Layers)
                    foreach (var (stat, v) in layer.Logged()) recorder.Log(a.Step, ActivationStatistics.MetricName(layer.Path, stat), v);
                break;
            case ParametersEvent p:
                foreach (var parameter in p.Parameters)
                    foreach (var (stat, v) in parameter.Logged()) recorder.Log(p.Step, ParameterStatistics.MetricName(parameter.Name, stat), v);
                break;
            case MemoryEvent m:
                recorder.LogSystem(m.Step, MemoryMetrics.Resident, m.Memory.ResidentBytes);
                recorder.LogSystem(m.Step, MemoryMetrics.PeakResident, m.Memory.PeakResidentBytes);
                break;
        }
    }
}
