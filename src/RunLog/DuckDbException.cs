namespace ArchNotebooks.Runs;

/// <summary>An error reported by DuckDB itself, carrying DuckDB's own message.</summary>
/// <remarks>
/// Callers catch this rather than DuckDB.NET's exception so that the run log's public surface does not
/// depend on the binding it happens to use.
/// </remarks>
public sealed class DuckDbException : Exception
{
    public DuckDbException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>The SQL that failed, when the error came from a statement.</summary>
    public string? Sql { get; init; }
}
