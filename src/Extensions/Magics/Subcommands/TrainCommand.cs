using System.Globalization;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch train &lt;model&gt;</c>: trains the model in place with one live display (progress bar and
/// loss curve, replaced by update_display_data), then shows a result summary and logs the run.
/// Interrupt stops between steps: the model keeps the last step's weights and the run is logged as interrupted.
/// </summary>
public sealed class TrainCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("train", "train a model with a live progress bar and loss curve; log the run",
        [new ArgumentSpec("model", "variable holding a model (trained in place)")],
        [
            TaskOption(), TaskConfigOption, StepsOption(200), LearningRateOption, BatchOption, SeedOption(),
            new OptionSpec("eval-every", "n", "evaluate on the test split every n steps; 0: only at the end (default: steps/5)", Values.Int(0)),
            new OptionSpec("warmup", "n", "linear warmup steps before the decay", Values.Int(0), "0"),
            new OptionSpec("optimizer", "name", "adamw, adam, sgd (momentum 0.9), lion or shampoo", Values.Choice<OptimizerKind>(), "adamw"),
            new OptionSpec("schedule", "name", "the lr after warmup: cosine, constant, linear, exponential or step", Values.Choice<Decay>(), "cosine"),
            new OptionSpec("checkpoint-every", "n", "save a checkpoint every n steps (and one at the end)", Values.Int(1)),
            new OptionSpec("checkpoints", "dir", "checkpoint directory (default: checkpoints/<run id> in the run-log directory)"),
            new OptionSpec("best", null, "keep the checkpoint with the best early-stopping metric (held-out loss) and end with its weights"),
            new OptionSpec("resume", "checkpoint", "continue from a checkpoint: its .json, its directory, or a logged run's id"),
            new OptionSpec("activations-every", "n", "log every layer's activation statistics every n steps (#!arch activations --run draws them)", Values.Int(1)),
            new OptionSpec("params-every", "n", "log every parameter's gradient norm and update ratio every n steps; 0: never (#!arch activations --run --stat grad_norm draws them)", Values.Int(0), "50"),
            new OptionSpec("run-name", "name", "name of the logged run (default: the variable's name)"),
            new OptionSpec("result", "var", "also bind the TrainingResult (histories, final metrics) to this variable"),
            RunsOption,
            new OptionSpec("no-log", null, "do not record the run in the run log"),
        ],
        [
            new("#!arch train m --steps 300 --lr 3e-3", "train m on the task it was built for, logging to ./runs"),
            new("#!arch train m --task reverse --steps 500 --seed 1 --result r", "train on another task of the same shape; r holds the result"),
            new("#!arch train m --steps 50 --eval-every 0 --no-log", "a quick try: evaluate once at the end, log nothing"),
            new("#!arch train m --optimizer lion --lr 3e-4 --schedule exponential --checkpoint-every 100", "another recipe, with checkpoints linked to the run"),
            new("#!arch train m --steps 1000 --resume <run id>", "continue an interrupted run from its latest checkpoint"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var task = ArchPlan.Task(line, target.Provenance, required: true, Where)!;
        int steps = line.Get("steps", 200);
        var config = new TrainConfig
        {
            Steps = steps, LearningRate = line.Get("lr", 1e-3), BatchSize = line.Get("batch", 32), Seed = line.Get("seed", 0L),
            EvalEvery = line.Get("eval-every", Math.Max(1, steps / 5)), WarmupSteps = line.Get("warmup", 0),
            Optimizer = line.Get("optimizer", OptimizerKind.AdamW), Schedule = line.Get("schedule", Decay.Cosine),
            ActivationStatsEvery = line.Get("activations-every", 0),
            ParameterStatsEvery = line.Get("params-every", new TrainConfig().ParameterStatsEvery),
        };
        bool best = line.Flag("best");
        // The best checkpoint is judged at each evaluation, by early stopping's bookkeeping with a patience that never runs out.
        if (best) config = config with { EarlyStopping = new EarlyStopping { Patience = int.MaxValue } };
        int? every = line.Value<int>("checkpoint-every");
        var checkpointDir = line.Get<string>("checkpoints");
        bool checkpointing = every is not null || best || checkpointDir is not null;
        var resume = line.Get<string>("resume");
        try { _ = new Trainer(config); }
        catch (ArgumentException e) { throw new ArchUsageException($"{Where}: {e.Message}"); }
        var resultName = line.Get<string>("result") is { } r ? Identifier(r, "--result") : null;
        var runName = line.Get<string>("run-name") ?? name;
        var runs = line.Flag("no-log") ? null : ArchPlan.RunsDirectory(line);
        if (resume is not null) resume = ResolveResume(resume, runs);
        var checkpoints = checkpointing ? new CheckpointPolicy(checkpointDir ?? "") { Every = every ?? 0, Best = best, LoadBestAtEnd = best } : null;
        if (target.Current is { } current) CheckShape(current, task, Where, name);
        return async run =>
        {
            var model = run.Model(name);
            CheckShape(model, task, Where, name);
            var provenance = ModelProvenance.Of(model);
            var result = RunTraining(run, model, name, provenance, task, config, runName, runs, checkpoints, resume);
            if (resultName is not null) await run.BindAsync(resultName, result.Result);
            run.ThrowIfInterrupted();
        };
    }

    internal sealed record Outcome(TrainingResult Result, string? RunId);

    Outcome RunTraining(ArchInvocation run, Module<Tensor, Tensor> model, string name, ModelProvenance? provenance, TaskChoice task, TrainConfig config,
        string runName, string? runs, CheckpointPolicy? checkpoints, string? resume)
    {
        using var log = runs is null ? null : RunLogs.OpenToRecord(run, runs, Where);
        using var record = log is null ? null : new RunRecorder(log.StartRun(new RunInfo
        {
            Name = runName, Source = "#!arch train", Family = provenance?.Family, Task = task.Name, Seed = config.Seed,
            // The scheme every run shares: config.model.*, config.train.* (the recipe, seed and device), config.data.*.
            Config = RunConfig.Of((object?)provenance?.ConfigFor(task) ?? RunConfig.ModelType(model), config, task.Task, model.device.ToString()),
            Device = model.device.ToString(), TorchVersion = __version__, ParameterCount = model.num_parameters(),
        }));
        var losses = new List<(double step, double loss)>();
        var evals = new List<EvalPoint>();
        StepEvent? last = null;
        string title = $"Training {name} on {task.Name}";
        ProgressView View(string status) => new(title, last?.Step ?? 0, config.Steps, status, Curves().ToFigure());
        TrainingCurves Curves()
        {
            var (xs, ys) = ProgressView.Thin(losses.Select(p => p.step).ToList(), losses.Select(p => p.loss).ToList());
            var curves = new List<Curve> { new("train_loss", xs, ys) };
            foreach (var metric in evals.SelectMany(e => e.Metrics.Keys).Distinct().Where(k => k.EndsWith("accuracy", StringComparison.Ordinal)))
                curves.Add(new Curve(metric, evals.Select(e => (double)e.Step).ToList(), evals.Select(e => e.Metrics.GetValueOrDefault(metric, double.NaN)).ToList()));
            return new TrainingCurves(curves) { Title = "loss (left) and test accuracy (right) by step" };
        }
        string Status() => last is null ? "starting" :
            FormattableString.Invariant($"step {last.Step:N0}/{config.Steps:N0} · loss {last.Loss:G4} · lr {last.LearningRate:G3} · {last.Step / Math.Max(1e-9, last.Elapsed.TotalSeconds):0} steps/s") +
            (evals.Count > 0 ? " · " + string.Join(", ", evals[^1].Metrics.Select(m => FormattableString.Invariant($"{m.Key} {m.Value:G4}"))) : "");
        var live = new LiveDisplay(run, View("starting"));
        void Watch(TrainingEvent e)
        {
            switch (e)
            {
                case StepEvent s:
                    last = s;
                    losses.Add((s.Step, s.Loss));
                    live.Update(() => View(Status()));
                    break;
                case EvalEvent v:
                    evals.Add(new EvalPoint(v.Step, v.Metrics));
                    live.Update(() => View(Status()), force: true);
                    break;
            }
        }
        // Without --checkpoints, a logged run keeps its checkpoints under the run log, by run id (what --resume accepts).
        if (checkpoints is { Directory: "" })
            checkpoints = checkpoints with { Directory = Path.Combine(runs ?? ".", "checkpoints", record?.Run.Id ?? runName) };
        TrainingResult result;
        try { result = RecordedTraining.Fit(model, task.Task, config, record, run.Cancellation, Watch, checkpoints: checkpoints, resume: resume); }
        catch (Exception e) when (resume is not null && e is ArgumentException or InvalidDataException or FileNotFoundException)
        {
            throw new ArchUsageException($"{Where}: cannot resume from {resume}: {e.Message}");
        }
        live.Update(() => View($"{result.Reason} after {result.StepsCompleted:N0}/{config.Steps:N0} steps · {Status()}"), force: true);
        // The live display above already ends on the final curves; the summary adds the numbers.
        run.Display(new TrainingSummary(name, task.Name, result, record?.Run.Id, runs, IncludeCurves: false));
        return new Outcome(result, record?.Run.Id);
    }

    /// <summary>A checkpoint path as given, or a logged run's id naming its checkpoint directory under the run log.</summary>
    string ResolveResume(string value, string? runs)
    {
        if (File.Exists(value) || Directory.Exists(value)) return value;
        var byRun = Path.Combine(runs ?? ".", "checkpoints", value);
        if (Directory.Exists(byRun)) return byRun;
        throw new ArchUsageException($"{Where}: --resume {value}: no such checkpoint file or directory, and no run '{value}' with checkpoints in {Path.Combine(runs ?? ".", "checkpoints")}");
    }

    /// <summary>A forward on two examples must give the task's logits shape; otherwise the model was built for another task.</summary>
    /// <param name="fix">What to do instead, for the messages (default: build a model for this task).</param>
    internal static void CheckShape(Module<Tensor, Tensor> model, TaskChoice task, string where, string name, string? fix = null)
    {
        fix ??= $"build a model for this task: #!arch model <family> --name {name} --task {task.Name}";
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        bool wasTraining = model.training;
        long[] actual;
        string inputs = "";
        try
        {
            model.eval();
            using var batch = task.Task.Sample(2, 0, Split.Train, model.device);
            inputs = $"{batch.Input.dtype} [{string.Join(", ", batch.Input.shape)}]";
            CheckVocabulary(model, task, batch.Input, where, name, fix);
            actual = model.call(batch.Input).shape;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TorchException or IndexOutOfRangeException)
        {
            throw new ArchUsageException($"{where}: {name} cannot read {task.Name} inputs ({inputs}): {e.Message}\n{Capitalized(fix)}");
        }
        finally { model.train(wasTraining); }
        var expected = task.Task.LogitsShape(2);
        if (!actual.SequenceEqual(expected))
            throw new ArchUsageException($"{where}: {name} gives logits [{string.Join(", ", actual)}] for two examples but {task.Name} needs [{string.Join(", ", expected)}]; {fix}");
    }

    static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    // Token ids beyond the model's embedding table fail deep in native code; name both sizes instead.
    static void CheckVocabulary(Module<Tensor, Tensor> model, TaskChoice task, Tensor input, string where, string name, string fix)
    {
        if (input.dtype is not (ScalarType.Int64 or ScalarType.Int32)) return;
        if (model.modules().OfType<Embedding>().FirstOrDefault() is not { } embedding) return;
        long vocabulary = task.Task.VocabSize ?? input.max().ToInt64() + 1;
        if (vocabulary > embedding.NumEmbeddings)
            throw new ArchUsageException($"{where}: {name}'s token embedding has {embedding.NumEmbeddings} ids (0..{embedding.NumEmbeddings - 1}) but {task.Name} uses a vocabulary of {vocabulary}; {fix}");
    }
}

/// <summary>Opening the run log with an error that says what is missing.</summary>
public static class RunLogs
{
    /// <summary>Opens the log a line records runs in, saying where it is the first time the session uses it.</summary>
    public static RunLog OpenToRecord(ArchInvocation run, string directory, string where)
    {
        var log = Open(directory, where);
        RunLogLocation.Announce(run, directory);
        return log;
    }

    public static RunLog Open(string directory, string where)
    {
        try { return RunLog.Open(directory); }
        catch (Exception e) when (e is DllNotFoundException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new ArchUsageException($"{where}: cannot open the run log in {directory}: {e.Message}");
        }
    }
}
