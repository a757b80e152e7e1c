using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Tasks;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>
/// Before a magic trains fresh models from a variable's config, it confirms that the config builds
/// the model the variable holds: same tensors, same outputs on a fixed batch once the weights are
/// copied. Otherwise the study would be evidence about some other model.
/// </summary>
public static class ConfigFidelity
{
    /// <summary>
    /// Compares the variable's model with its config, on a batch of the task the model was built for
    /// (else <paramref name="task"/>); null when the variable has no model yet (an earlier line of the
    /// cell builds it from the config) or no config.
    /// </summary>
    public static ArchitectureComparison? Compare(ModelTarget target, TaskChoice task)
    {
        if (target.Current is not { } model || target.Provenance is not { } provenance) return null;
        var own = provenance.Task ?? task;
        var config = provenance.Task is null ? provenance.Config : provenance.ConfigFor(null);
        using var scope = NewDisposeScope();
        var batch = own.Task.Sample(2, seed: 0, Split.Train, model.device);
        return ArchitectureMatch.Compare(model, config, batch.Input);
    }

    /// <summary>A usage error unless the variable's config builds its model (or there is nothing to compare).</summary>
    public static void Require(ModelTarget target, TaskChoice task, string where, string purpose)
    {
        if (Compare(target, task) is { Same: false } comparison) throw Mismatch(target.Name, comparison, where, purpose);
    }

    /// <summary>The usage error for a failed comparison; <paramref name="purpose"/> says what would have been built from the config.</summary>
    public static ArchUsageException Mismatch(string name, ArchitectureComparison comparison, string where, string purpose) => new(
        comparison.Verdict == ArchitectureVerdict.ModelForwardFailed
            ? $"{where}: the model in {name} does not run: {comparison.Reason}\nFix the module first (#!arch check {name} reports this as a failed check)."
            : $"{where}: {name}'s config does not build the model {name} holds, so {purpose} would test another model: {comparison.Reason}.\n" +
              $"Give the module a Config that builds it, or check the model itself: #!arch check {name} --own-weights.");
}
