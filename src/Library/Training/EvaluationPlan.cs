using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// Which splits a training run reads when. Model selection (periodic evaluations, early stopping, the
/// best checkpoint) sees only Validation (and Train, if asked for); Test and Generalization are read
/// once, at the end, on the model that selection kept — reading them during training would make
/// them part of the selection, and the final numbers optimistic.
/// </summary>
public static class EvaluationPlan
{
    /// <summary>Splits read only by the final evaluation.</summary>
    public static bool IsHeldOutForTheEnd(Split split) => split is Split.Test or Split.Generalization;

    /// <summary>The configured splits that periodic evaluations read.</summary>
    public static Split[] Periodic(TrainConfig config) => config.EvalSplits.Where(s => !IsHeldOutForTheEnd(s)).Distinct().ToArray();

    /// <summary>Early stopping may only watch metrics of periodic splits; a clear error otherwise.</summary>
    public static void CheckEarlyStopping(TrainConfig config)
    {
        if (config.EarlyStopping is not { } es) return;
        var periodic = Periodic(config);
        var split = Enum.GetValues<Split>().Where(s => es.Metric.StartsWith(s.ToString().ToLowerInvariant() + "_", StringComparison.Ordinal)).Cast<Split?>().FirstOrDefault();
        if (split is { } held && IsHeldOutForTheEnd(held))
            throw new ArgumentException($"early stopping watches '{es.Metric}', but the {held.ToString().ToLowerInvariant()} split is read once, after training, so that it takes no part in choosing the model; " +
                                        $"watch '{Evaluation.LossName(Split.Validation)}' or '{Evaluation.AccuracyName(Split.Validation)}' (with Split.Validation in EvalSplits) instead");
        if (split is not { } s || !periodic.Contains(s))
            throw new ArgumentException($"early stopping watches '{es.Metric}', which is not evaluated during training; evaluated: " +
                                        (periodic.Length == 0 ? "nothing (add Split.Validation to EvalSplits)" : string.Join(", ", periodic.SelectMany(p => new[] { Evaluation.LossName(p), Evaluation.AccuracyName(p) }))));
    }
}
