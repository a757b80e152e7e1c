namespace ArchNotebooks.Runs;

/// <summary>A live run: log metrics, system metrics and artifacts, then end it with Finish, Fail or MarkInterrupted.</summary>
/// <remarks>
/// Metrics are buffered in memory and written as a new Parquet chunk every flush interval (see
/// <see cref="RunLogOptions.FlushInterval"/>), so a killed process loses at most that interval. Logging is
/// thread-safe. Disposing a run that was not ended records it as interrupted: only an explicit
/// <see cref="Finish"/> says it completed.
/// </remarks>
public sealed class Run : IDisposable
{
    private readonly RunLog log;
    private readonly RunRow row;
    private readonly MetricBuffer buffer = new();
    private readonly object flushGate = new();
    private readonly List<string> chunkFiles = [];
    private int artifactCount;
    private bool rowDirty;
    private volatile bool ended;
    private bool disposed;

    internal Run(RunLog log, string id, string directory, RunInfo info, string? configJson)
    {
        this.log = log;
        Id = id;
        Directory = directory;
        row = new RunRow { RunId = id, Info = info, ConfigJson = configJson, StartTime = DateTime.UtcNow, ParameterCount = info.ParameterCount };
        WriteRunRow();
    }

    /// <summary>Unique id, also the name of the run's directory: start time plus random suffix, so ids sort by time.</summary>
    public string Id { get; }
    public string Name => row.Info.Name ?? "unnamed";
    public string Directory { get; }
    public RunInfo Info => row.Info;
    public RunStatus Status => row.Status;

    /// <summary>Metric rows logged but not yet written to disk.</summary>
    public int PendingRows => buffer.Pending;

    /// <summary>Records one metric value at a training step. NaN and infinities are kept: a diverged loss is data.</summary>
    public void Log(long step, string name, double value)
    {
        EnsureLive();
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, $"Step for metric '{name}' must be zero or positive.");
        buffer.Add(step, name, isSystem: false, value);
    }

    /// <summary>Records several metrics at one step.</summary>
    public void Log(long step, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (name, value) in metrics) Log(step, name, value);
    }

    /// <summary>Records a system metric (kind = 'system' in the metrics table), e.g. step time or memory.</summary>
    public void LogSystem(long step, string name, double value)
    {
        EnsureLive();
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, $"Step for system metric '{name}' must be zero or positive.");
        buffer.Add(step, name, isSystem: true, value);
    }

    /// <summary>Records how long a step took, as the system metric <c>step_time_s</c>.</summary>
    public void LogStepTime(long step, TimeSpan elapsed) => LogSystem(step, "step_time_s", elapsed.TotalSeconds);

    /// <summary>Records managed heap and process working set (<c>gc_heap_bytes</c>, <c>working_set_bytes</c>).</summary>
    /// <remarks>Reading the working set costs a /proc read, so call this every N steps rather than every step.</remarks>
    public void LogMemory(long step)
    {
        LogSystem(step, "gc_heap_bytes", GC.GetTotalMemory(false));
        LogSystem(step, "working_set_bytes", Environment.WorkingSet);
    }

    /// <summary>Links a file (a safetensors checkpoint, a report) to the run; written to disk immediately.</summary>
    public void AddArtifact(string kind, string path, long? step = null)
    {
        EnsureLive();
        MetricName.Validate(kind, "artifact kind");
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("An artifact path must not be empty.", nameof(path));
        var fullPath = Path.GetFullPath(path);
        lock (flushGate)
        {
            var file = Path.Combine(Directory, RunSchema.ArtifactsFile(++artifactCount));
            log.WithDatabase(writer => writer.Write(file, RunSchema.Artifacts, a =>
                a.CreateRow().AppendValue(Id).AppendValue(kind).AppendValue(fullPath).AppendValue(step).AppendValue(DateTime.UtcNow).EndRow()));
        }
    }

    /// <summary>Sets the parameter count once the model exists; recorded at the next flush.</summary>
    public void SetParameterCount(long count)
    {
        EnsureLive();
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A parameter count cannot be negative.");
        lock (flushGate) { row.ParameterCount = count; rowDirty = true; }
    }

    /// <summary>Writes buffered metrics now (also done on the flush interval and when the run ends).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        lock (flushGate) FlushLocked();
    }

    /// <summary>Ends the run as finished. Final metrics default to the last value of every metric logged.</summary>
    public void Finish(IReadOnlyDictionary<string, double>? finalMetrics = null)
    {
        if (finalMetrics is not null)
            foreach (var name in finalMetrics.Keys) MetricName.Validate(name, "final metric name");
        End(RunStatus.Finished, null, finalMetrics);
    }

    /// <summary>Ends the run as failed, recording the exception's type and message.</summary>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        End(RunStatus.Failed, $"{error.GetType().FullName}: {error.Message}", null);
    }

    /// <summary>Ends the run as failed with a message.</summary>
    public void Fail(string message) => End(RunStatus.Failed, message, null);

    /// <summary>Ends the run as interrupted, e.g. when the user cancels training.</summary>
    public void MarkInterrupted() => End(RunStatus.Interrupted, null, null);

    private void End(RunStatus status, string? error, IReadOnlyDictionary<string, double>? finalMetrics)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        lock (flushGate)
        {
            EnsureLive();
            FlushLocked();
            try
            {
                MergeChunks();
            }
            catch (DuckDbException e)
            {
                // The chunks stay readable as they are; recording how the run ended matters more than tidiness.
                log.Warn($"Run {Id}: merging metric chunks failed, leaving them in place: {e.Message}");
            }
            row.Status = status;
            row.Error = error;
            row.EndTime = DateTime.UtcNow;
            row.FinalMetrics = finalMetrics ?? buffer.LastValues();
            WriteRunRow();
            ended = true;
            TryDelete(Path.Combine(Directory, RunSchema.HeartbeatFile));
        }
        log.Forget(this);
    }

    /// <summary>Called by the log's timer; never throws, because it runs on a pool thread.</summary>
    internal void FlushInBackground()
    {
        if (ended || disposed || !Monitor.TryEnter(flushGate)) return;
        try
        {
            if (!ended) FlushLocked();
        }
        catch (Exception e)
        {
            log.Warn($"Run {Id}: flushing metrics failed, will retry: {e.Message}");
        }
        finally
        {
            Monitor.Exit(flushGate);
        }
    }

    private void FlushLocked()
    {
        if (ended) return;
        var (segment, series) = buffer.Take();
        try
        {
            if (segment.Count > 0)
            {
                var file = Path.Combine(Directory, RunSchema.MetricsChunkFile(chunkFiles.Count + 1));
                WriteMetrics(file, segment, series);
                chunkFiles.Add(file);
            }
        }
        catch
        {
            buffer.Restore(segment);
            throw;
        }
        buffer.Recycle(segment);
        if (rowDirty) WriteRunRow();
        Heartbeat();
    }

    private void WriteMetrics(string file, MetricBuffer.Segment rows, IReadOnlyList<MetricBuffer.Series> series)
    {
        var names = Sql.List(series.Select(s => s.Name));
        var kinds = Sql.List(series.Select(s => s.IsSystem ? "system" : "metric"));
        var select = $"{Sql.Literal(Id)} AS run_id, step, {names}[series + 1] AS name, value, " +
                     $"make_timestamp(wall_micros) AS wall_time, {kinds}[series + 1] AS kind";
        log.WithDatabase(writer => writer.Write(file, RunSchema.MetricsScratch, appender =>
        {
            for (var i = 0; i < rows.Count; i++)
                appender.CreateRow().AppendValue(rows.Steps[i]).AppendValue(rows.SeriesIds[i]).AppendValue(rows.Values[i]).AppendValue(rows.WallMicros[i]).EndRow();
        }, select));
    }

    // One file per finished run keeps later scans cheap; readers prefer metrics.parquet over leftover chunks,
    // so a crash between the rename and the deletes duplicates nothing.
    private void MergeChunks()
    {
        if (chunkFiles.Count == 0) return;
        var merged = Path.Combine(Directory, RunSchema.MergedMetricsFile);
        if (chunkFiles.Count == 1) File.Move(chunkFiles[0], merged, overwrite: true);
        else log.WithDatabase(writer => writer.CopyToFile($"SELECT * FROM read_parquet({Sql.List(chunkFiles)})", merged));
        foreach (var chunk in chunkFiles) TryDelete(chunk);
        chunkFiles.Clear();
    }

    private void WriteRunRow()
    {
        var (columns, values) = row.ToColumns();
        log.WithDatabase(writer => writer.Write(Path.Combine(Directory, RunSchema.RunFile), columns, a =>
        {
            var cells = a.CreateRow();
            for (var i = 0; i < columns.Count; i++) cells = ParquetFileWriter.AppendValue(cells, columns[i].Kind, values[i]);
            cells.EndRow();
        }));
        rowDirty = false;
    }

    private void Heartbeat()
    {
        try { File.SetLastWriteTimeUtc(Path.Combine(Directory, RunSchema.HeartbeatFile), DateTime.UtcNow); }
        catch (IOException) { } // the heartbeat only helps remote readers; never fail logging over it
    }

    private void EnsureLive()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (ended) throw new InvalidOperationException($"Run '{Name}' ({Id}) has already ended as {row.Status.ToText()}; start a new run to log more.");
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Ends the run as interrupted if nobody ended it; failures become warnings so unwinding is not masked.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (!ended)
        {
            try { MarkInterrupted(); }
            catch (Exception e) { log.Warn($"Run {Id}: recording the interruption failed: {e.Message}"); }
        }
        disposed = true;
    }
}
