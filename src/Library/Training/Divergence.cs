using System.Globalization;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// Decides from the logged losses whether a run has diverged: a non-finite loss at once, or a loss that
/// stays above factor times the first logged loss for patience logged steps in a row. One spike that
/// recovers is not divergence (warmup and large learning rates make those); a loss stuck far above where
/// it started is.
/// </summary>
public sealed class DivergenceWatch(double? factor, int patience)
{
    double? initial;
    int above;

    /// <summary>The first logged loss (the reference the factor multiplies).</summary>
    public double? InitialLoss => initial;

    /// <summary>Sees the loss logged at <paramref name="step"/>; returns why the run diverged, or null.</summary>
    public string? Observe(long step, double loss)
    {
        if (!double.IsFinite(loss)) return Invariant($"loss became {loss} at step {step}");
        if (initial is null) { initial = loss; return null; }
        if (factor is not { } f || !(loss > f * initial.Value)) { above = 0; return null; }
        if (++above < patience) return null;
        return Invariant($"loss {loss:G4} at step {step} stayed above {f:G3} x the initial loss {initial.Value:G4} for {patience} logged steps");
    }

    /// <summary>Restores the watch of a resumed run, so resuming does not reset what "initial" means.</summary>
    public void Resume(double? initialLoss, int stepsAbove)
    {
        initial = initialLoss;
        above = stepsAbove;
    }

    /// <summary>Logged steps in a row so far above the threshold.</summary>
    public int StepsAbove => above;

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
