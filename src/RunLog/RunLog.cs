using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ArchNotebooks.Runs;

/// <summary>A directory of runs recorded as Parquet: start runs into it, and query every run in it with SQL.</summary>
/// <remarks>
/// <code>
/// using var log = RunLog.Open("./runs");
/// using var run = log.StartRun(new RunInfo { Name = "baseline", Config = config, Seed = 0 });
/// run.Log(step, "loss", loss);
/// run.Finish();
/// log.Query("SELECT name, \"final.loss\" FROM runs ORDER BY start_time DESC");
/// </code>
/// Each run owns its own sub-directory, so any number of processes can log into one root at once.
/// The namespace is <c>Runs</c> rather than <c>RunLog</c> so that this type's name stays unambiguous.
/// </remarks>
public sealed partial class RunLog : IDisposable
{
    /// <summary>Runs of every log in this process, so process exit can save their buffered rows.</summary>
    private static readonly ConcurrentDictionary<Run, RunLog> LiveRuns = new();

    private readonly object databaseGate = new();
    private readonly RunDatabase database;
    private readonly ParquetFileWriter writer;
    private readonly RunCatalog catalog;
    private readonly Timer flushTimer;
    private bool disposed;

    /// <summary>Kept alive for the life of the process: disposing a registration removes its handler.</summary>
    internal static readonly PosixSignalRegistration[] TerminationHandlers;

    static RunLog()
    {
        // Normal exit raises ProcessExit. SIGTERM (what kill, Slurm and Jupyter send) and SIGHUP (a closed
        // terminal) do not on .NET 10, so they get handlers of their own; the handler does not cancel the
        // signal, so the process still ends as the signal asks once the rows are saved.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => EndLiveRuns();
        TerminationHandlers =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => EndLiveRuns()),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => EndLiveRuns()),
        ];
    }

    /// <summary>Flushes what is buffered and records the runs as interrupted: the process is going away.</summary>
    private static void EndLiveRuns()
    {
        foreach (var run in LiveRuns.Keys) run.Dispose();
    }

    private RunLog(string root, RunLogOptions options)
    {
        Root = root;
        Options = options;
        database = new RunDatabase();
        writer = new ParquetFileWriter(database);
        catalog = new RunCatalog(this, database);
        flushTimer = new Timer(_ => FlushAll(), null, options.FlushInterval, options.FlushInterval);
    }

    /// <summary>The directory holding one sub-directory per run.</summary>
    public string Root { get; }
    public RunLogOptions Options { get; }

    /// <summary>Warnings from the latest query: files that were skipped and why.</summary>
    public IReadOnlyList<string> Warnings => catalog.Warnings;

    /// <summary>The version of the DuckDB library doing the Parquet work.</summary>
    public static string DuckDbVersion => RunDatabase.LibraryVersion;

    /// <summary>Opens (creating if needed) a run directory; the default is ./runs, next to the notebook.</summary>
    public static RunLog Open(string root = "./runs", RunLogOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("The run-log directory must not be empty.", nameof(root));
        options ??= new RunLogOptions();
        if (options.FlushInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "The flush interval must be positive.");
        var full = Path.GetFullPath(root);
        System.IO.Directory.CreateDirectory(full);
        return new RunLog(full, options);
    }

    /// <summary>Starts a run: creates its directory and records it as running.</summary>
    public Run StartRun(RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        ObjectDisposedException.ThrowIf(disposed, this);
        ValidateName(info.Name, "run name");
        ValidateName(info.Family, "family");
        ValidateName(info.Task, "task");
        ValidateName(info.Group, "ablation group");
        ValidateName(info.Variant, "variant");
        var configJson = ConfigColumns.Serialize(info.Config);
        var (id, directory) = ClaimDirectory();
        var run = new Run(this, id, directory, info, configJson);
        LiveRuns[run] = this;
        return run;
    }

    /// <summary>Runs SQL over the views <c>runs</c>, <c>metrics</c> and <c>artifacts</c> of every run under <see cref="Root"/>.</summary>
    public RunTable Query(string sql)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ObjectDisposedException.ThrowIf(disposed, this);
        // Rows this process logged should be visible to its own queries at once, not one interval later.
        foreach (var run in LiveRuns.Where(r => r.Value == this).Select(r => r.Key)) run.Flush();
        lock (databaseGate) return catalog.Query(sql);
    }

    internal void WithDatabase(Action<ParquetFileWriter> write)
    {
        lock (databaseGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            write(writer);
        }
    }

    internal void Forget(Run run) => LiveRuns.TryRemove(run, out _);

    internal void Warn(string message) => (Options.OnWarning ?? (m => Console.Error.WriteLine("run log: " + m)))(message);

    private void FlushAll()
    {
        foreach (var (run, owner) in LiveRuns)
            if (owner == this) run.FlushInBackground();
    }

    // The heartbeat file is created with CreateNew, which fails if it exists: that makes claiming the id
    // atomic even if two processes drew the same random suffix in the same second.
    private (string Id, string Directory) ClaimDirectory()
    {
        for (var attempt = 0; ; attempt++)
        {
            var id = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
            var directory = Path.Combine(Root, id);
            System.IO.Directory.CreateDirectory(directory);
            try
            {
                using var heartbeat = new FileStream(Path.Combine(directory, RunSchema.HeartbeatFile), FileMode.CreateNew, FileAccess.Write);
                heartbeat.Write(System.Text.Encoding.UTF8.GetBytes($"{WriterLiveness.Host} {Environment.ProcessId}\n"));
                return (id, directory);
            }
            catch (IOException) when (attempt < 10 && File.Exists(Path.Combine(directory, RunSchema.HeartbeatFile)))
            {
            }
        }
    }

    private static void ValidateName(string? name, string what)
    {
        if (name is null) return;
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"The {what} must not be empty or blank; leave it null to omit it.", nameof(name));
        if (name.Contains('\0')) throw new ArgumentException($"The {what} must not contain a NUL character.", nameof(name));
    }

    /// <summary>Stops the flush timer, ends this log's live runs as interrupted, and releases DuckDB.</summary>
    public void Dispose()
    {
        if (disposed) return;
        flushTimer.Dispose();
        foreach (var (run, owner) in LiveRuns)
            if (owner == this) run.Dispose();
        lock (databaseGate)
        {
            disposed = true;
            database.Dispose();
        }
    }
}
