using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Runtime;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Analysis;

/// <summary>What the Trainer logs besides the loss when asked: per-layer activation statistics on an interval, and memory.</summary>
public class TrainingProbesTests
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);
    static readonly TrainConfig Short = new() { Steps = 12, BatchSize = 16, EvalEvery = 0, EvalBatches = 1, EvalBatchSize = 32, Seed = 3, EvalSplits = [Split.Test] };

    static TaskMlp NewModel()
    {
        manual_seed(0);
        return new TaskMlp(MaxTask, width: 16);
    }

    static RecordedRun NewRecorder() => new(new ExperimentRunInfo { Group = "probes", Variant = "mlp", Seed = 3, Task = MaxTask.Name });

    [Fact]
    public void Activation_statistics_are_logged_every_n_steps_for_every_layer()
    {
        using var model = NewModel();
        var recorder = NewRecorder();
        var events = new List<ActivationsEvent>();
        RecordedTraining.Fit(model, MaxTask, Short with { ActivationStatsEvery = 4 }, recorder, watch: e => { if (e is ActivationsEvent a) events.Add(a); });
        Assert.Equal([4L, 8, 12], events.Select(e => e.Step));
        Assert.All(events, e => Assert.Equal(["hidden", "output"], e.Layers.Select(l => l.Path)));
        foreach (var layer in new[] { "hidden", "output" })
            foreach (var stat in new[] { "mean", "std", "dead", "norm" })
                Assert.Equal([4L, 8, 12], recorder.History(ActivationStatistics.MetricName(layer, stat)).Select(p => p.Step));
        // The logged numbers are the events' numbers.
        Assert.Equal(events.Select(e => e.Layers[0].Std), recorder.History("activations/hidden/std").Select(p => p.Value));
        Assert.All(recorder.History("activations/hidden/dead"), p => Assert.InRange(p.Value, 0, 1));
        // Linear layers do not squash, so nothing is logged as saturated.
        Assert.Empty(recorder.History("activations/hidden/saturated"));
    }

    [Fact]
    public void Recording_activations_does_not_change_training()
    {
        using var a = NewModel();
        using var b = NewModel();
        var plain = new Trainer(Short).Fit(a, MaxTask);
        var probed = new Trainer(Short with { ActivationStatsEvery = 1 }).Fit(b, MaxTask);
        Assert.Equal(plain.LossHistory, probed.LossHistory);
    }

    [Fact]
    public void Memory_is_logged_as_system_metrics_and_the_peak_covers_every_reading()
    {
        using var model = NewModel();
        var recorder = NewRecorder();
        var result = RecordedTraining.Fit(model, MaxTask, Short with { MemoryEvery = 5 }, recorder);
        var rss = recorder.SystemMetrics.Where(m => m.Name == MemoryMetrics.Resident).ToList();
        var peaks = recorder.SystemMetrics.Where(m => m.Name == MemoryMetrics.PeakResident).ToList();
        Assert.Equal([5L, 10, 12], rss.Select(m => m.Step));   // every 5 steps and the last one
        Assert.All(rss, m => Assert.True(m.Value > 1 << 20, $"resident set {m.Value} bytes"));
        Assert.All(rss.Zip(peaks), p => Assert.True(p.Second.Value >= p.First.Value));
        Assert.True(result.PeakMemoryBytes >= peaks.Max(p => p.Value));
        // Memory is the machine's, not the model's: it stays out of the metrics.
        Assert.DoesNotContain(recorder.Metrics, m => m.Name.Contains("rss"));
    }

    [Fact]
    public void Memory_logging_can_be_turned_off()
    {
        using var model = NewModel();
        var recorder = NewRecorder();
        RecordedTraining.Fit(model, MaxTask, Short with { MemoryEvery = 0 }, recorder);
        Assert.Empty(recorder.SystemMetrics);
    }

    [Fact]
    public void The_resident_set_grows_by_memory_the_process_touches()
    {
        var before = ProcessMemory.Read();
        Assert.True(before.ResidentBytes > 0 && before.PeakResidentBytes >= before.ResidentBytes);
        const int size = 96 << 20;
        var block = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        Array.Fill(block, (byte)1);   // touching every page makes it resident
        var after = ProcessMemory.Read();
        GC.KeepAlive(block);
        Assert.True(after.ResidentBytes - before.ResidentBytes > size / 2,
            $"resident set grew by {after.ResidentBytes - before.ResidentBytes} bytes after touching {size}");
        Assert.True(after.PeakResidentBytes >= after.ResidentBytes);
    }

    [Fact]
    public void Negative_intervals_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Trainer(Short with { ActivationStatsEvery = -1 }));
        Assert.Contains("ActivationStatsEvery", e.Message);
    }
}
