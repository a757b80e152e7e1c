namespace ArchNotebooks.Extensions.Magics.Syntax;

/// <summary>
/// A mistake in a <c>#!arch</c> line (unknown subcommand or option, bad value, missing or wrong
/// variable). Raised before anything runs; the cell shows only the message, no stack frames,
/// because the frames are ours, not the user's.
/// </summary>
public sealed class ArchUsageException(string message) : Exception(message)
{
    public override string? StackTrace => null;
}
