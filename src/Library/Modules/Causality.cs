namespace ArchNotebooks.Library.Modules;

/// <summary>
/// Declares whether a sequence model is causal (the outputs at position t read no input after t, as a
/// decoder-only language model) or bidirectional (an encoder). Implement it on the module or on its
/// config; the dependency check then holds the model to the declaration. Nothing is guessed from
/// field names: a model that declares nothing gets its causality reported as not checked.
/// </summary>
public interface IDeclaresCausality
{
    /// <summary>True: position t's outputs must not depend on inputs after t. False: they are meant to see the whole sequence.</summary>
    bool IsCausal { get; }
}
