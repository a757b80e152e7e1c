namespace ArchNotebooks.Runs;

/// <summary>The reading side of the run log: finds every run's files, skips bad ones, and defines the SQL views.</summary>
/// <remarks>
/// Views are rebuilt for every query because other processes add files all the time. Each file's schema is
/// checked once (cached by size and modification time), so a corrupt or foreign file is skipped with a
/// warning instead of breaking every query; damage the footer check cannot see is caught when DuckDB names
/// the file in an error, and the query is retried without it.
/// </remarks>
internal sealed class RunCatalog(RunLog log, RunDatabase database)
{
    private const int MaxRetries = 8;
    private static readonly char[] GlobCharacters = ['*', '?', '['];

    private sealed record Verdict(long Length, DateTime Modified, string? Problem, bool FullyRead = false);

    private sealed record Files(List<string> Runs, List<string> Metrics, List<string> Artifacts)
    {
        public IEnumerable<string> All => Runs.Concat(Metrics).Concat(Artifacts);
    }

    private readonly Dictionary<string, Verdict> verdicts = new();
    private List<string> warnings = [];
    private readonly HashSet<string> announced = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Warnings => warnings;

    public RunTable Query(string sql)
    {
        for (var attempt = 0; ; attempt++)
        {
            var files = Scan();
            var seen = Stamps(files);
            try
            {
                DefineViews(files);
                return database.Query(sql);
            }
            catch (DuckDbException) when (attempt < MaxRetries && !Stamps(files).SequenceEqual(seen))
            {
                // A writer replaced a file (by rename) while DuckDB was reading it, which DuckDB can report as a
                // damaged footer ("TProtocolException: Invalid data", "invalid TType") when it looked up a file's
                // size before the rename and read its bytes after. The file is whole now: read again.
            }
            catch (DuckDbException e) when (attempt < MaxRetries && FindCulprit(e, files) is { } culprit)
            {
                // A file that vanished was merged or replaced by its writer between our scan and the query:
                // nothing is wrong with it, so scan again. Anything else is damaged and skipped from now on.
                var info = new FileInfo(culprit.Path);
                if (info.Exists) Reject(culprit.Path, new Verdict(info.Length, info.LastWriteTimeUtc, culprit.Problem));
            }
        }
    }

    // Size and modification time of each file read; a change means some writer replaced it meanwhile.
    private static List<(long Length, DateTime Modified)> Stamps(Files files) =>
        files.All.Select(f => new FileInfo(f)).Select(i => i.Exists ? (i.Length, i.LastWriteTimeUtc) : (-1L, default(DateTime))).ToList();

    // Errors in the query itself say nothing about the files; anything else might be a damaged file.
    private static readonly string[] QueryErrors =
        ["Parser Error", "Binder Error", "Catalog Error", "Conversion Error", "Out of Range Error", "Constraint Error", "Not implemented Error"];

    /// <summary>The file behind a DuckDB error: named in the message, or found by reading every file in full.</summary>
    private (string Path, string Problem)? FindCulprit(DuckDbException error, Files files)
    {
        var named = files.All.FirstOrDefault(f => error.Message.Contains(f));
        if (named != null) return (named, FirstLine(error.Message));
        if (QueryErrors.Any(error.Message.StartsWith)) return null;
        foreach (var file in files.All)
        {
            if (verdicts.TryGetValue(file, out var verdict) && verdict.FullyRead) continue;
            try
            {
                // Hashing whole rows makes DuckDB decode every column of every row group.
                database.Execute($"SELECT count(hash(t)) FROM read_parquet({Sql.Literal(file)}) t");
                if (verdict != null) verdicts[file] = verdict with { FullyRead = true };
            }
            catch (DuckDbException probe)
            {
                return (file, "damaged data (" + FirstLine(probe.Message) + ")");
            }
        }
        return null;
    }

    private Files Scan()
    {
        var files = new Files([], [], []);
        var problems = new List<string>();
        foreach (var stray in Directory.EnumerateFiles(log.Root, "*.parquet"))
        {
            const string misplaced = "Parquet files belong in a run's directory, not the run-log root";
            if (verdicts.GetValueOrDefault(stray)?.Problem != misplaced) Reject(stray, new Verdict(0, default, misplaced));
            problems.Add($"Skipped {stray}: {misplaced}");
        }
        foreach (var directory in Directory.EnumerateDirectories(log.Root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (name.StartsWith('.')) continue;
            if (name.IndexOfAny(GlobCharacters) >= 0)
            {
                // DuckDB expands globs in every path it reads, so "*" would read every other run's files again.
                var message = $"Skipped {directory}: its name has glob characters (*, ?, [), which DuckDB would expand to other runs' files; rename it to read it";
                problems.Add(message);
                if (announced.Add(directory)) log.Warn(message);
                continue;
            }
            Consider(Path.Combine(directory, RunSchema.RunFile), RunSchema.Runs, files.Runs, problems);
            var merged = Path.Combine(directory, RunSchema.MergedMetricsFile);
            var metrics = File.Exists(merged) ? [merged] : Directory.GetFiles(directory, RunSchema.MetricsChunkPrefix + "*.parquet");
            foreach (var file in metrics.Order(StringComparer.Ordinal)) Consider(file, RunSchema.Metrics, files.Metrics, problems);
            foreach (var file in Directory.GetFiles(directory, RunSchema.ArtifactsPrefix + "*.parquet").Order(StringComparer.Ordinal))
                Consider(file, RunSchema.Artifacts, files.Artifacts, problems);
        }
        warnings = problems;
        return files;
    }

    private void Consider(string path, ColumnSpec[] schema, List<string> accepted, List<string> problems)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists) return;
        }
        catch (IOException) { return; }
        if (!verdicts.TryGetValue(path, out var verdict) || verdict.Length != info.Length || verdict.Modified != info.LastWriteTimeUtc)
        {
            verdict = new Verdict(info.Length, info.LastWriteTimeUtc, CheckSchema(path, schema));
            if (verdict.Problem != null && !File.Exists(path)) return; // merged away while we looked
            if (verdict.Problem is null) verdicts[path] = verdict; else Reject(path, verdict);
        }
        if (verdict.Problem is null) accepted.Add(path);
        else problems.Add($"Skipped {path}: {verdict.Problem}");
    }

    private void Reject(string path, Verdict verdict)
    {
        verdicts[path] = verdict;
        log.Warn($"Skipped {path}: {verdict.Problem}");
    }

    /// <summary>Null when the file has every column of the schema with a compatible type; otherwise what is wrong.</summary>
    private string? CheckSchema(string path, ColumnSpec[] schema)
    {
        RunTable described;
        try
        {
            described = database.Query($"DESCRIBE SELECT * FROM read_parquet({Sql.Literal(path)})");
        }
        catch (DuckDbException e)
        {
            return "not a readable Parquet file (" + FirstLine(e.Message) + ")";
        }
        var types = described.Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!, StringComparer.OrdinalIgnoreCase);
        foreach (var column in schema)
        {
            if (!types.TryGetValue(column.Name, out var type)) return $"not a run-log file: no column '{column.Name}'";
            if (!Compatible(column.Kind, type)) return $"not a run-log file: column '{column.Name}' is {type}, expected {column.SqlType}";
        }
        return null;
    }

    private static bool Compatible(ColumnKind kind, string type) => kind switch
    {
        ColumnKind.Varchar => type == "VARCHAR",
        ColumnKind.BigInt => type.EndsWith("INT") || type == "HUGEINT" || type == "BIGINT",
        ColumnKind.Double => type is "DOUBLE" or "FLOAT" || type.EndsWith("INT") || type.StartsWith("DECIMAL"),
        ColumnKind.Boolean => type == "BOOLEAN",
        _ => type.StartsWith("TIMESTAMP"),
    };

    private void DefineViews(Files files)
    {
        var interrupted = new List<string>();
        if (files.Runs.Count > 0)
        {
            var written = database.Query(
                $"SELECT run_id, status, host, pid, process_start, filename FROM {ReadAll(files.Runs, withFileName: true)}");
            files = WithoutCopies(files, written);
            // Only the rows read count: a stale copy still saying "running" must not mark the real run.
            var read = files.Runs.ToHashSet(StringComparer.Ordinal);
            interrupted = DeadRunIds(written.Rows.Where(r => r[5] is string file && read.Contains(file)));
        }
        var runs = files.Runs.Count == 0
            ? RunSchema.EmptyRelation(RunSchema.Runs)
            : interrupted.Count == 0
                ? $"SELECT * FROM {ReadAll(files.Runs)}"
                : $"SELECT * REPLACE (CASE WHEN run_id IN ({string.Join(", ", interrupted.Select(Sql.Literal))}) THEN 'interrupted' ELSE status END AS status) FROM {ReadAll(files.Runs)}";
        var metrics = files.Metrics.Count == 0 ? RunSchema.EmptyRelation(RunSchema.Metrics) : $"SELECT * FROM {ReadAll(files.Metrics)}";
        var artifacts = files.Artifacts.Count == 0 ? RunSchema.EmptyRelation(RunSchema.Artifacts) : $"SELECT * FROM {ReadAll(files.Artifacts)}";
        database.Execute(
            $"CREATE OR REPLACE TEMP VIEW runs AS {runs};\n" +
            $"CREATE OR REPLACE TEMP VIEW metrics AS {metrics};\n" +
            $"CREATE OR REPLACE TEMP VIEW artifacts AS {artifacts};");
    }

    /// <summary>
    /// One directory per run id: a copied run directory (a backup, a colleague's results pasted in) holds the
    /// same run again, and reading both would count its rows twice. The directory named after the run wins
    /// (that is where the run was written); otherwise the first by path. The others are skipped and named.
    /// </summary>
    private Files WithoutCopies(Files files, RunTable written)
    {
        var copies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in written.Rows.Where(r => r[0] is string).GroupBy(r => (string)r[0]!, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var directories = group.Select(r => Path.GetDirectoryName((string)r[5]!)!).Order(StringComparer.Ordinal).ToList();
            var kept = directories.FirstOrDefault(d => Path.GetFileName(d) == group.Key) ?? directories[0];
            foreach (var copy in directories.Where(d => d != kept))
            {
                copies.Add(copy);
                var message = $"Skipped {copy}: a copy of run {group.Key}, which is read from {kept}";
                warnings.Add(message);
                if (announced.Add(copy)) log.Warn(message);
            }
        }
        if (copies.Count == 0) return files;
        bool Kept(string file) => !copies.Contains(Path.GetDirectoryName(file)!);
        return new Files(files.Runs.Where(Kept).ToList(), files.Metrics.Where(Kept).ToList(), files.Artifacts.Where(Kept).ToList());
    }

    /// <summary>Runs recorded as running whose writer is gone: they read as interrupted.</summary>
    private List<string> DeadRunIds(IEnumerable<object?[]> written)
    {
        var now = DateTime.UtcNow;
        var dead = new List<string>();
        foreach (var row in written.Where(r => (string?)r[1] == "running"))
        {
            var heartbeat = new FileInfo(Path.Combine(Path.GetDirectoryName((string)row[5]!)!, RunSchema.HeartbeatFile));
            DateTime? lastBeat = heartbeat.Exists ? heartbeat.LastWriteTimeUtc : null;
            if (!WriterLiveness.IsAlive(row[2] as string, row[3] as long?, row[4] as DateTime?, lastBeat, log.Options.HeartbeatTimeout, now))
                dead.Add((string)row[0]!);
        }
        return dead;
    }

    private static string ReadAll(List<string> files, bool withFileName = false) =>
        $"read_parquet({Sql.List(files)}, union_by_name = true{(withFileName ? ", filename = true" : "")})";

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
