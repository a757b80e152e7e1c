namespace ArchNotebooks.Runs;

/// <summary>Settings for a <see cref="RunLog"/>; the defaults suit a notebook on one machine.</summary>
public sealed record RunLogOptions
{
    /// <summary>How often buffered metrics are written: the most a SIGKILL can lose. Default 2 seconds.</summary>
    /// <remarks>
    /// Each flush costs a few milliseconds of CPU however few rows it writes (DuckDB plans a COPY and writes a
    /// Parquet footer); at 2 s that stays well under 1% of a training loop on a 2-core machine, at 1 s it did not.
    /// </remarks>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a run on another host may go without a heartbeat before readers call it interrupted.
    /// Runs on this host are judged by whether their process is alive instead. Default 1 minute.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Receives warnings (skipped files, failed background flushes). Default: standard error.</summary>
    public Action<string>? OnWarning { get; init; }
}
