using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.ZeroMq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>Answers shell requests: kernel_info, execute, complete, inspect, is_complete, history, comm_info, comm_open.</summary>
internal sealed class ShellHandlers(KernelSockets sockets, ScriptSession session)
{
    private readonly List<(int Line, string Input, string? Output)> _history = new();
    private int _executionCount;

    public bool TryHandle(ZmqSocket socket, JupyterMessage request)
    {
        if (socket == sockets.Control && request.MsgType != "kernel_info_request") return false;
        var content = request.Content;
        JsonObject? reply = request.MsgType switch
        {
            "kernel_info_request" => KernelInfo.Reply(),
            "execute_request" => Execute(request),
            "complete_request" => Complete((string?)content["code"] ?? "", content["cursor_pos"]?.GetValue<int>()),
            "inspect_request" => Inspect((string?)content["code"] ?? "", content["cursor_pos"]?.GetValue<int>()),
            "is_complete_request" => IsComplete((string?)content["code"] ?? ""),
            "history_request" => History(content),
            "comm_info_request" => new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() },
            "comm_open" => CloseUnknownComm(request),
            "comm_msg" or "comm_close" => null,
            _ => null,
        };
        if (reply is not null) sockets.Reply(socket, request, request.MsgType.Replace("_request", "_reply"), reply);
        return reply is not null || request.MsgType is "comm_open" or "comm_msg" or "comm_close";
    }

    private JsonObject Execute(JupyterMessage request)
    {
        var content = request.Content;
        var code = (string?)content["code"] ?? "";
        bool silent = content["silent"]?.GetValue<bool>() ?? false;
        bool storeHistory = !silent && (content["store_history"]?.GetValue<bool>() ?? true);
        bool allowStdin = content["allow_stdin"]?.GetValue<bool>() ?? false;
        if (storeHistory) _executionCount++;
        int count = _executionCount;
        if (!silent) sockets.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);

        var output = new IopubCellOutput(sockets, request, count, allowStdin);
        var error = session.ExecuteAsync(code, silent ? NullCellOutput.Instance : output, $"cell[{count}]").GetAwaiter().GetResult();
        if (storeHistory) _history.Add((count, code, output.ResultText));
        if (error is null)
            return new JsonObject { ["status"] = "ok", ["execution_count"] = count, ["payload"] = new JsonArray(), ["user_expressions"] = new JsonObject() };
        var reply = IopubCellOutput.ErrorContent(error);
        reply["status"] = "error";
        reply["execution_count"] = count;
        return reply;
    }

    private JsonObject Complete(string code, int? cursorPos)
    {
        int cursor = CodePoints.ToUtf16(code, cursorPos ?? CodePoints.FromUtf16(code, code.Length));
        var result = Completions.Complete(session, code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = CodePoints.FromUtf16(code, result.CursorStart),
            ["cursor_end"] = CodePoints.FromUtf16(code, result.CursorEnd),
            ["metadata"] = new JsonObject(),
        };
    }

    private JsonObject Inspect(string code, int? cursorPos)
    {
        int cursor = CodePoints.ToUtf16(code, cursorPos ?? CodePoints.FromUtf16(code, code.Length));
        var text = Inspection.Inspect(session, code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text },
            ["metadata"] = new JsonObject(),
        };
    }

    internal static JsonObject IsComplete(string code)
    {
        if (string.IsNullOrWhiteSpace(code)) return new JsonObject { ["status"] = "complete" };
        if (Scripting.MagicLine.TryParse(code, out var magic) && string.IsNullOrWhiteSpace(magic.Body)) return new JsonObject { ["status"] = "complete" };
        var tree = CSharpSyntaxTree.ParseText(code, ScriptSession.ParseOptions);
        if (!SyntaxFactory.IsCompleteSubmission(tree)) return new JsonObject { ["status"] = "incomplete", ["indent"] = "    " };
        bool invalid = tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        return new JsonObject { ["status"] = invalid ? "invalid" : "complete" };
    }

    private JsonObject History(JsonObject content)
    {
        bool output = content["output"]?.GetValue<bool>() ?? false;
        var access = (string?)content["hist_access_type"] ?? "tail";
        int n = content["n"]?.GetValue<int>() ?? 10;
        IEnumerable<(int Line, string Input, string? Output)> entries = _history;
        switch (access)
        {
            case "tail": entries = _history.TakeLast(Math.Max(0, n)); break;
            case "range":
                int start = content["start"]?.GetValue<int>() ?? 1, stop = content["stop"]?.GetValue<int>() ?? int.MaxValue;
                entries = _history.Where(h => h.Line >= start && h.Line < stop);
                break;
            case "search":
                var glob = new Regex("^" + Regex.Escape((string?)content["pattern"] ?? "*").Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.Singleline);
                var found = _history.Where(h => glob.IsMatch(h.Input)).ToList();
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

    private JsonObject? CloseUnknownComm(JupyterMessage request)
    {
        // No comm targets yet: close at once, as the spec asks for an unknown target_name.
        sockets.Publish("comm_close", new JsonObject { ["comm_id"] = request.Content["comm_id"]?.DeepClone(), ["data"] = new JsonObject() }, request);
        return null;
    }
}
