namespace ArchNotebooks.Library.Runs;

/// <summary>An error reported by DuckDB itself, carrying DuckDB's own message.</summary>
public sealed class DuckDbException : Exception
{
    public DuckDbException(string message) : base(message) { }

    /// <summary>The SQL that failed, when the error came from a statement.</summary>
    public string? Sql { get; init; }
}
