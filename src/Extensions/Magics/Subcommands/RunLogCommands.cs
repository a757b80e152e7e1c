using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch runs</c>: the latest runs of the run log as a table, optionally filtered by a SQL condition.</summary>
public sealed class RunsCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("runs", "list the latest runs of the run log",
        [],
        [
            new OptionSpec("last", "n", "how many runs, newest first", Values.Int(1, 100_000), "10"),
            new OptionSpec("where", "condition", "SQL condition on the runs view, e.g. \"task = 'copy' AND status = 'finished'\""),
            RunsOption,
        ],
        [
            new("#!arch runs", "the ten latest runs in ./runs"),
            new("#!arch runs --last 50 --where \"ablation_group = 'm-ablation'\"", "the runs of one study"),
            new("#!arch runs --where \"status = 'interrupted'\"", "the runs an interrupt stopped"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var dir = ArchPlan.RunsDirectory(line);
        int last = line.Get("last", 10);
        var where = line.Get<string>("where");
        return run =>
        {
            if (!RunLogQueries.Exists(dir, run)) return Task.CompletedTask;
            using var log = RunLogs.Open(dir, Where);
            run.Display(RunLogQueries.Run(() => log.RunsOverview(last, where), $"{Where} --where"));
            return Task.CompletedTask;
        };
    }
}

/// <summary><c>#!arch sql "SELECT ..."</c>: any query over the runs, metrics and artifacts views.</summary>
public sealed class SqlCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("sql", "run a SQL query on the run log (views runs, metrics, artifacts)",
        [new ArgumentSpec("query", "the query: the rest of the line, as written (SQL's own quotes included)", Rest: true)],
        [RunsOption],
        [
            new("#!arch sql SELECT variant, avg(\"final.test_accuracy\") AS acc FROM runs GROUP BY ALL ORDER BY acc DESC", "mean accuracy per variant"),
            new("#!arch sql \"SELECT name, value FROM metrics WHERE name = 'train_loss' LIMIT 5\" --runs ../runs", "a quoted query and another run-log directory"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var dir = ArchPlan.RunsDirectory(line);
        // The query is the line after "sql" as written, less the --runs option, so SQL's own double quotes survive.
        var raw = line.Text.Trim()[3..];
        var tokens = CommandLineParser.Tokenize(raw);
        int at = tokens.FindIndex(t => !t.Quoted && (t.Text == "--runs" || t.Text.StartsWith("--runs=", StringComparison.Ordinal)));
        if (at >= 0) raw = raw[..tokens[at].Start] + raw[tokens[tokens[at].Text == "--runs" ? at + 1 : at].End..];
        var query = raw.Trim();
        if (CommandLineParser.Tokenize(query) is [{ Quoted: true } whole] && query.StartsWith('"')) query = whole.Text;
        if (string.IsNullOrWhiteSpace(query)) throw new ArchUsageException($"{Where}: missing <query>, e.g. {Spec.Examples[0].Line}");
        return run =>
        {
            if (!RunLogQueries.Exists(dir, run)) return Task.CompletedTask;
            using var log = RunLogs.Open(dir, Where);
            run.Display(RunLogQueries.Run(log, query, Where));
            return Task.CompletedTask;
        };
    }
}

/// <summary>What the run-log subcommands share: the "no log yet" message and turning DuckDB's errors into usage errors.</summary>
public static class RunLogQueries
{
    public static bool Exists(string dir, ArchInvocation run)
    {
        if (Directory.Exists(dir)) return true;
        run.Out.WriteLine($"No run log in {dir} yet: #!arch train, ablate and scale record runs there (--runs DIR reads another).");
        return false;
    }

    public static RunTable Run(RunLog log, string sql, string where) => Run(() => log.Query(sql), where);

    /// <summary>Runs a run-log query made by the library, reporting DuckDB's error with the SQL it ran.</summary>
    public static RunTable Run(Func<RunTable> query, string where)
    {
        try { return query(); }
        catch (DuckDbException e) { throw new ArchUsageException($"{where}: the query failed: {e.Message}\nQuery: {e.Sql}"); }
    }
}
