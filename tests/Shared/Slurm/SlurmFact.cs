using Xunit;

namespace ArchNotebooks.Tests.Shared.Slurm;

/// <summary>
/// A fact that runs against a real one-node Slurm on localhost (<see cref="LocalSlurm"/>); where this
/// machine cannot start one it is skipped with the reason and what to install.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (LocalSlurm.CannotRun() is { } reason) Skip = reason;
    }
}
