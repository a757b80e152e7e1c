using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;

namespace ArchNotebooks.Library.Checks;

/// <summary>What the dependency check found about positions, against what the model declared.</summary>
public enum CausalityVerdict
{
    /// <summary>The outputs are not per position (pooled), or the probes are not aligned with them: causality has no meaning here.</summary>
    NotApplicable,
    /// <summary>Neither the module nor its config declares causality, so nothing was asserted (the measurement is still reported).</summary>
    NotDeclared,
    /// <summary>Declared causal and no output depends on a later input.</summary>
    Causal,
    /// <summary>Declared bidirectional and some output depends on a later input.</summary>
    Bidirectional,
    /// <summary>No output depends on any other position at all (e.g. attention ablated away): consistent with either declaration.</summary>
    PositionsIndependent,
    /// <summary>Declared causal, but an output depends on a later input: the future leaks.</summary>
    FutureLeaks,
    /// <summary>Declared bidirectional, yet outputs depend only on earlier positions: a causal mask applied by mistake?</summary>
    DeclaredBidirectionalButCausal,
}

/// <summary>Reads a model's causality declaration.</summary>
public static class CausalityDeclaration
{
    /// <summary>The module's own declaration, else its config's; null when neither declares.</summary>
    public static bool? Of(Module? model, IModelConfig? config = null) =>
        (model as IDeclaresCausality)?.IsCausal ?? (config as IDeclaresCausality)?.IsCausal;

    /// <summary>What to tell a user whose model declares nothing.</summary>
    public const string HowToDeclare = "implement IDeclaresCausality (bool IsCausal) on the module or its config";
}
