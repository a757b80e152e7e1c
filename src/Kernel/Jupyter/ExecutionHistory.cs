using System.Text.Json.Nodes;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>The inputs (and text results) of this process's latest stored executions, answering history_request.</summary>
/// <param name="limit">How many executions are kept: a kernel that runs for days must not keep every cell's source and result.</param>
internal sealed class ExecutionHistory(int limit = ExecutionHistory.DefaultLimit)
{
    public const int DefaultLimit = 10_000;
    private readonly List<(int Line, string Input, string? Output)> _entries = new();

    public void Add(int line, string input, string? output)
    {
        // Dropping in batches keeps Add amortised O(1); the list holds between limit and 1.25 × limit entries.
        if (_entries.Count >= limit + limit / 4) _entries.RemoveRange(0, _entries.Count - limit + 1);
        _entries.Add((line, input, output));
    }

    /// <summary>history_reply content for a history_request (tail, range or search; session is always this one, 1).</summary>
    public JsonObject Reply(JsonObject content)
    {
        bool output = content["output"]?.GetValue<bool>() ?? false;
        var access = (string?)content["hist_access_type"] ?? "tail";
        int n = content["n"]?.GetValue<int>() ?? 10;
        IEnumerable<(int Line, string Input, string? Output)> entries = _entries;
        switch (access)
        {
            case "tail": entries = _entries.TakeLast(Math.Max(0, n)); break;
            case "range":
                int start = content["start"]?.GetValue<int>() ?? 1, stop = content["stop"]?.GetValue<int>() ?? int.MaxValue;
                entries = _entries.Where(h => h.Line >= start && h.Line < stop);
                break;
            case "search":
                var pattern = (string?)content["pattern"] ?? "*";
                var found = _entries.Where(h => GlobPattern.Matches(pattern, h.Input)).ToList();
                if (content["unique"]?.GetValue<bool>() ?? false)
                    found = found.GroupBy(h => h.Input).Select(g => g.Last()).OrderBy(h => h.Line).ToList();
                entries = content["n"] is null ? found : found.TakeLast(Math.Max(0, n));
                break;
        }
        var history = new JsonArray();
        foreach (var (line, input, result) in entries)
            history.Add(new JsonArray(1, line, output ? new JsonArray(input, result) : JsonValue.Create(input)));
        return new JsonObject { ["status"] = "ok", ["history"] = history };
    }
}
