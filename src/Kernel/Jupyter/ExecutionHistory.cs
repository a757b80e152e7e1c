using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>The inputs (and text results) of this process's stored executions, answering history_request.</summary>
internal sealed class ExecutionHistory
{
    private readonly List<(int Line, string Input, string? Output)> _entries = new();

    public void Add(int line, string input, string? output) => _entries.Add((line, input, output));

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
                var glob = new Regex("^" + Regex.Escape((string?)content["pattern"] ?? "*").Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.Singleline);
                var found = _entries.Where(h => glob.IsMatch(h.Input)).ToList();
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
