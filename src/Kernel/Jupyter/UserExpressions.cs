using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// execute_request's user_expressions, as ipykernel answers them: after a cell that succeeded, each named
/// expression is evaluated in the session without output or history, and the reply maps each name to
/// <c>{status: "ok", data, metadata}</c> (the value's mime bundle) or <c>{status: "error", ename, evalue, traceback}</c>.
/// One failing expression does not stop the others or fail the cell.
/// </summary>
internal static class UserExpressions
{
    public static JsonObject Evaluate(IInterpreter interpreter, JsonObject? expressions)
    {
        var results = new JsonObject();
        if (expressions is null) return results;
        foreach (var (name, node) in expressions)
        {
            var expression = node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (expression is null)
            {
                results[name] = Error(new CellError("TypeError", $"user expression '{name}' is not a string", []));
                continue;
            }
            var (bundle, error) = interpreter.EvaluateAsync(expression).GetAwaiter().GetResult();
            results[name] = error is not null ? Error(error) : new JsonObject
            {
                ["status"] = "ok",
                ["data"] = bundle!.DataAsJson(),
                ["metadata"] = bundle.MetadataAsJson(),
            };
        }
        return results;
    }

    private static JsonObject Error(CellError error)
    {
        var content = IopubCellOutput.ErrorContent(error);
        content["status"] = "error";
        return content;
    }
}
