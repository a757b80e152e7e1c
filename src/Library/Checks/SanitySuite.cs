using System.Text;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Runtime;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

/// <summary>All sanity checks of one model on one task.</summary>
public sealed record SanityReport(string Task, IReadOnlyList<SanityCheck> Checks)
{
    public bool AllPassed => Checks.All(c => c.Passed);
    public IEnumerable<SanityCheck> Failed => Checks.Where(c => !c.Passed);
    public T Get<T>() where T : SanityCheck => Checks.OfType<T>().Single();
    /// <summary>Cancellation stopped the suite before every check had run.</summary>
    public bool Interrupted { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder($"sanity checks on {Task}: {Checks.Count(c => c.Passed)}/{Checks.Count} passed");
        foreach (var c in Checks) sb.Append('\n').Append(c.ToString());
        return sb.ToString();
    }
}

/// <summary>Runs every sanity check, each on a fresh model from the factory built under the same seed.</summary>
public static class SanitySuite
{
    /// <summary>
    /// Shape, loss at init, gradient flow, batch dependencies, update-to-data ratio, overfitting one
    /// batch and the input-independent baseline, in that order (cheapest first). Each model is built
    /// (seeded) then moved to <see cref="SanityOptions.Device"/>, and disposed afterwards.
    /// Cancelling stops between checks (the report holds those that ran); <paramref name="finished"/> sees each check as it ends.
    /// </summary>
    public static SanityReport Run(Func<Module<Tensor, Tensor>> factory, ISyntheticTask task, SanityOptions? options = null,
        CancellationToken cancellation = default, Action<SanityCheck>? finished = null)
    {
        var o = options ?? new SanityOptions();
        cancellation = Interruption.With(cancellation);
        T Fresh<T>(Func<Module<Tensor, Tensor>, T> check)
        {
            manual_seed(o.Seed);
            using var model = SanityChecks.Build(factory, o);
            return check(model);
        }
        Func<SanityCheck>[] steps =
        [
            () => Fresh(m => SanityChecks.Shape(m, task, o)),
            () => Fresh(m => SanityChecks.InitialLoss(m, task, o)),
            () => Fresh(m => SanityChecks.GradientFlow(m, task, o)),
            () => Fresh(m => SanityChecks.BatchDependencies(m, task, o)),
            () => Fresh(m => SanityChecks.UpdateToDataRatio(m, task, o)),
            () => Fresh(m => SanityChecks.OverfitOneBatch(m, task, o)),
            () => SanityChecks.InputIndependentBaseline(factory, task, o),
        ];
        return RunSteps(steps, task, cancellation, finished);
    }

    /// <summary>
    /// The same checks on the model itself rather than fresh builds: for a hand-written module without
    /// a config, or whenever the evidence must be about these exact weights. Every check starts from the
    /// model's weights as they are now, and the model gets them back afterwards (the checks that train
    /// change them only while they run). Loss at init is judged on the current weights, so on a
    /// trained model it reports the loss is below chance rather than a bug.
    /// </summary>
    public static SanityReport Run(Module<Tensor, Tensor> model, ISyntheticTask task, SanityOptions? options = null,
        CancellationToken cancellation = default, Action<SanityCheck>? finished = null)
    {
        var o = (options ?? new SanityOptions()) with { Device = model.device };
        using var snapshot = new WeightSnapshot(model);
        T Own<T>(Func<Module<Tensor, Tensor>, T> check)
        {
            manual_seed(o.Seed);
            try { return check(model); }
            finally { snapshot.Restore(); }
        }
        Func<SanityCheck>[] steps =
        [
            () => Own(m => SanityChecks.Shape(m, task, o)),
            () => Own(m => SanityChecks.InitialLoss(m, task, o)),
            () => Own(m => SanityChecks.GradientFlow(m, task, o)),
            () => Own(m => SanityChecks.BatchDependencies(m, task, o)),
            () => Own(m => SanityChecks.UpdateToDataRatio(m, task, o)),
            () => Own(m => SanityChecks.OverfitOneBatch(m, task, o)),
            () => SanityChecks.InputIndependentBaseline(model, task, o),
        ];
        return RunSteps(steps, task, cancellation, finished);
    }

    static SanityReport RunSteps(Func<SanityCheck>[] steps, ISyntheticTask task, CancellationToken cancellation, Action<SanityCheck>? finished)
    {
        var checks = new List<SanityCheck>();
        foreach (var step in steps)
        {
            if (cancellation.IsCancellationRequested) return new SanityReport(task.Name, checks) { Interrupted = true };
            checks.Add(step());
            finished?.Invoke(checks[^1]);
            if (!checks[0].Passed) break;   // nothing else can run on the wrong shape
        }
        return new SanityReport(task.Name, checks);
    }
}
