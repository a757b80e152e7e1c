using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>
/// Cell outputs as nbformat output objects. Consecutive stream text is merged; an update to a display
/// id rewrites every output shown under that id in any cell, as Jupyter front ends and nbclient do.
/// </summary>
/// <remarks>
/// The stream output still growing keeps its text in a builder and gets its JSON lines once, when another
/// output follows or <see cref="Seal"/> is called: re-joining and re-splitting the whole text on every
/// 50 ms console flush made a long print loop quadratic (180 MB of stdout peaked at 17.8 GB). Text past
/// <see cref="OutputLimits.MaxTextChars"/> is dropped and counted, and the note says how much.
/// </remarks>
internal sealed class NotebookCellOutput(NotebookCell cell, Dictionary<string, List<JsonObject>> displays) : ICellOutput
{
    private readonly object _gate = new();
    private JsonObject? _open;
    private readonly StringBuilder _openText = new();
    private long _openCut;
    private bool _clearPending;  // clear_output(wait: true): cleared when the next output arrives, as nbclient does

    public void ClearOutput(bool wait)
    {
        lock (_gate)
        {
            if (wait) _clearPending = true;
            else ClearLocked();
        }
    }

    private void ClearLocked()
    {
        _clearPending = false;
        _open = null;
        _openText.Clear();
        _openCut = 0;
        foreach (var shown in displays.Values) shown.RemoveAll(output => cell.Outputs.Contains(output));
        cell.Outputs.Clear();
    }

    /// <summary>Before a new output: a pending clear_output(wait) happens now.</summary>
    private void ClearIfPending()
    {
        if (_clearPending) ClearLocked();
    }

    public void Stream(string name, string text)
    {
        lock (_gate)
        {
            ClearIfPending();
            var outputs = cell.Outputs;
            if (_open is null || (string?)_open["name"] != name || outputs.Count == 0 || !ReferenceEquals(outputs[^1], _open))
            {
                SealLocked();
                if (outputs.Count > 0 && outputs[^1] is JsonObject last && (string?)last["output_type"] == "stream" && (string?)last["name"] == name)
                {
                    // Written after the cell ended (a background thread): carry on the sealed output.
                    _open = last;
                    _openText.Append(string.Concat((last["text"] as JsonArray ?? []).Select(l => (string?)l)));
                }
                else
                {
                    _open = new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = new JsonArray() };
                    outputs.Add(_open);
                }
            }
            int kept = OutputLimits.Fit(text, OutputLimits.MaxTextChars - _openText.Length);
            _openText.Append(text, 0, kept);
            _openCut += text.Length - kept;
        }
    }

    /// <summary>Writes the growing stream output's text into its JSON; called when the cell ends and before the notebook is saved.</summary>
    public void Seal()
    {
        lock (_gate) SealLocked();
    }

    private void SealLocked()
    {
        if (_open is null) return;
        if (_openCut > 0) _openText.Append(OutputLimits.Note(_openCut));
        _open["text"] = Lines(_openText);
        _open = null;
        _openText.Clear();
        _openCut = 0;
    }

    /// <summary>nbformat's lines (each keeps its newline), split straight from the builder's chunks: no copy of the whole text.</summary>
    private static JsonArray Lines(StringBuilder text)
    {
        var lines = new JsonArray();
        var partial = new StringBuilder();
        foreach (var chunk in text.GetChunks())
        {
            var span = chunk.Span;
            int start = 0, newline;
            while ((newline = span[start..].IndexOf('\n')) >= 0)
            {
                var line = span.Slice(start, newline + 1);
                lines.Add(partial.Length == 0 ? new string(line) : partial.Append(line).ToString());
                partial.Clear();
                start += newline + 1;
            }
            partial.Append(span[start..]);
        }
        if (partial.Length > 0) lines.Add(partial.ToString());
        return lines;
    }

    public void Display(MimeBundle bundle, string displayId, bool update)
    {
        lock (_gate)
        {
            if (!update) ClearIfPending();
            SealLocked();
            if (update)
            {
                if (displays.TryGetValue(displayId, out var shown))
                    foreach (var output in shown) { output["data"] = Data(bundle); output["metadata"] = bundle.MetadataAsJson(); }
                return;
            }
            var display = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(bundle), ["metadata"] = bundle.MetadataAsJson() };
            cell.Outputs.Add(display);
            if (!displays.TryGetValue(displayId, out var list)) displays[displayId] = list = new List<JsonObject>();
            list.Add(display);
        }
    }

    public void Result(MimeBundle bundle)
    {
        lock (_gate)
        {
            ClearIfPending();
            SealLocked();
            cell.Outputs.Add(new JsonObject
            {
                ["output_type"] = "execute_result",
                ["execution_count"] = cell.ExecutionCount,
                ["data"] = Data(bundle),
                ["metadata"] = bundle.MetadataAsJson(),
            });
        }
    }

    public void Error(CellError error)
    {
        lock (_gate)
        {
            ClearIfPending();
            SealLocked();
            cell.Outputs.Add(new JsonObject
            {
                ["output_type"] = "error",
                ["ename"] = error.Name,
                ["evalue"] = error.Value,
                ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode?)l).ToArray()),
            });
        }
    }

    public string? RequestInput(string prompt, bool password) => null;

    /// <summary>nbformat stores text mime data as line lists; JSON mime data stays a JSON object.</summary>
    private static JsonObject Data(MimeBundle bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle.Data)
            data[mime] = value is JsonNode node ? node.DeepClone() : mime.StartsWith("image/", StringComparison.Ordinal) && mime != MimeBundle.Svg
                ? JsonValue.Create(OutputLimits.Truncate((string)value)) : NotebookCell.SourceLines(OutputLimits.Truncate((string)value));
        return data;
    }
}
