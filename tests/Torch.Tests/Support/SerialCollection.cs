namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>Tests that measure the whole process (resident memory) or reseed the global generator run alone, after the rest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide state)";
}
