using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>
/// Cell outputs as nbformat output objects. Consecutive stream text is merged; an update to a display
/// id rewrites every output shown under that id in any cell, as Jupyter front ends and nbclient do.
/// </summary>
internal sealed class NotebookCellOutput(NotebookCell cell, Dictionary<string, List<JsonObject>> displays) : ICellOutput
{
    private readonly object _gate = new();
    private bool _clearPending;  // clear_output(wait: true): cleared when the next output arrives, as nbclient does

    public void ClearOutput(bool wait)
    {
        lock (_gate)
        {
            if (wait) _clearPending = true;
            else ClearNow();
        }
    }

    private void ClearNow()
    {
        _clearPending = false;
        foreach (var shown in displays.Values) shown.RemoveAll(output => cell.Outputs.Contains(output));
        cell.Outputs.Clear();
    }

    /// <summary>The cell's outputs, after a pending clear_output(wait) has happened (call under the lock when adding one).</summary>
    private JsonArray Outputs
    {
        get
        {
            if (_clearPending) ClearNow();
            return cell.Outputs;
        }
    }

    public void Stream(string name, string text)
    {
        lock (_gate)
        {
            var outputs = Outputs;
            if (outputs.Count > 0 && outputs[^1] is JsonObject last && (string?)last["output_type"] == "stream" && (string?)last["name"] == name)
            {
                var merged = string.Concat(last["text"]!.AsArray().Select(l => (string?)l)) + text;
                last["text"] = NotebookCell.SourceLines(merged);
                return;
            }
            outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = NotebookCell.SourceLines(text) });
        }
    }

    public void Display(MimeBundle bundle, string displayId, bool update)
    {
        lock (_gate)
        {
            if (update)
            {
                if (displays.TryGetValue(displayId, out var shown))
                    foreach (var output in shown) { output["data"] = Data(bundle); output["metadata"] = bundle.MetadataAsJson(); }
                return;
            }
            var display = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(bundle), ["metadata"] = bundle.MetadataAsJson() };
            Outputs.Add(display);
            if (!displays.TryGetValue(displayId, out var list)) displays[displayId] = list = new List<JsonObject>();
            list.Add(display);
        }
    }

    public void Result(MimeBundle bundle)
    {
        lock (_gate)
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "execute_result",
                ["execution_count"] = cell.ExecutionCount,
                ["data"] = Data(bundle),
                ["metadata"] = bundle.MetadataAsJson(),
            });
    }

    public void Error(CellError error)
    {
        lock (_gate)
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "error",
                ["ename"] = error.Name,
                ["evalue"] = error.Value,
                ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode?)l).ToArray()),
            });
    }

    public string? RequestInput(string prompt, bool password) => null;

    /// <summary>nbformat stores text mime data as line lists; JSON mime data stays a JSON object.</summary>
    private static JsonObject Data(MimeBundle bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle.Data)
            data[mime] = value is JsonNode node ? node.DeepClone() : mime.StartsWith("image/", StringComparison.Ordinal) && mime != MimeBundle.Svg
                ? JsonValue.Create((string)value) : NotebookCell.SourceLines((string)value);
        return data;
    }
}
