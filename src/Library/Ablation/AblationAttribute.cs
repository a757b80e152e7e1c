namespace ArchNotebooks.Library.Ablation;

/// <summary>Marks a config field as an ablation point: what removing or swapping it tests, and the values to try.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class AblationAttribute(string description, params object[] alternatives) : Attribute
{
    public string Description { get; } = description;
    /// <summary>Values to try instead of the current one; empty means "the other bool value / every other enum member".</summary>
    public object[] Alternatives { get; } = alternatives;
}
