using System.Globalization;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>
/// Watches an ablation or scaling study through its experiment log: every run it starts, every loss
/// it logs and every run it finishes moves one live progress display, and is passed on to the real
/// log (the run log on disk, or nothing with --no-log).
/// </summary>
public sealed class StudyProgress : IExperimentLog
{
    readonly IExperimentLog? inner;
    readonly LiveDisplay live;
    readonly string title, metric;
    readonly int totalRuns, stepsPerRun;
    readonly List<(string Variant, long Seed, double Value)> finished = new();
    string current = "starting";
    long step;
    double loss = double.NaN;

    public StudyProgress(ArchInvocation run, string title, int totalRuns, int stepsPerRun, string metric, IExperimentLog? inner)
    {
        (this.title, this.totalRuns, this.stepsPerRun, this.metric, this.inner) = (title, totalRuns, stepsPerRun, metric, inner);
        live = new LiveDisplay(run, View());
    }

    public IReadOnlyList<(string Variant, long Seed, double Value)> Finished => finished;

    public IRunRecorder StartRun(ExperimentRunInfo info)
    {
        (current, step, loss) = ($"{info.Variant}, seed {info.Seed}", 0, double.NaN);
        live.Update(View, force: true);
        return new Recorder(this, info, inner?.StartRun(info));
    }

    /// <summary>The last word: shows every finished run, whatever the throttle says.</summary>
    public void Complete(string status) { current = status; live.Update(View, force: true); }

    ProgressView View()
    {
        double done = finished.Count + (stepsPerRun > 0 ? Math.Min(1, step / (double)stepsPerRun) : 0);
        var status = $"{finished.Count}/{totalRuns} runs done · {current}" + (step > 0 ? FormattableString.Invariant($" · step {step}/{stepsPerRun}, loss {loss:G4}") : "");
        var detail = finished.Count == 0 ? null : HtmlText.Table(["variant", "seed", metric],
            finished.TakeLast(12).Select(f => (IEnumerable<string>)[HtmlText.Escape(f.Variant), f.Seed.ToString(CultureInfo.InvariantCulture), HtmlText.Number(f.Value)]),
            caption: finished.Count > 12 ? $"last 12 of {finished.Count} finished runs" : null);
        return new ProgressView(title, done, totalRuns, status, Detail: detail);
    }

    sealed class Recorder(StudyProgress owner, ExperimentRunInfo info, IRunRecorder? inner) : IRunRecorder
    {
        public void Log(long step, string name, double value)
        {
            inner?.Log(step, name, value);
            if (name != "train_loss") return;
            (owner.step, owner.loss) = (step, value);
            owner.live.Update(owner.View);
        }

        public void Finish(IReadOnlyDictionary<string, double> finalMetrics)
        {
            inner?.Finish(finalMetrics);
            owner.finished.Add((info.Variant, info.Seed, finalMetrics.GetValueOrDefault(owner.metric, double.NaN)));
            (owner.step, owner.current) = (0, "next run");
            owner.live.Update(owner.View, force: true);
        }

        public void LogSystem(long step, string name, double value) => inner?.LogSystem(step, name, value);
        public void Fail(Exception error) => inner?.Fail(error);
        public void Fail(string message) => inner?.Fail(message);
        public void MarkInterrupted() => inner?.MarkInterrupted();
        public void Dispose() => inner?.Dispose();
    }

    /// <summary>The run log on disk as a study's log, or none.</summary>
    public static IExperimentLog? OnDisk(RunLog? log, string source) => log is null ? null : new RunLogExperimentLog(log, source);
}
