using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>One execute_request's outputs as IOPub messages (stream, display_data, update_display_data, execute_result, error).</summary>
internal sealed class IopubCellOutput(KernelProtocol protocol, JupyterMessage request, int executionCount, bool allowStdin, CancellationToken inputCancellation) : ICellOutput
{
    // Only for a console-like client: updates of live displays as a rewritten stdout line (null for notebook front ends).
    private readonly TerminalLiveLine? _liveLine = TerminalLiveLine.AppendsOnly(request)
        ? new TerminalLiveLine(text => protocol.Publish("stream", new JsonObject { ["name"] = "stdout", ["text"] = text }, request))
        : null;

    /// <summary>text/plain of the last execute_result, for history with output.</summary>
    public string? ResultText { get; private set; }

    public void Stream(string name, string text)
    {
        _liveLine?.Close();
        protocol.Publish("stream", new JsonObject { ["name"] = name, ["text"] = OutputLimits.Truncate(text) }, request);
    }

    public void Display(MimeBundle bundle, string displayId, bool update)
    {
        if (!update) _liveLine?.Close();
        protocol.Publish(update ? "update_display_data" : "display_data", new JsonObject
        {
            ["data"] = bundle.DataAsJson(),
            ["metadata"] = bundle.MetadataAsJson(),
            ["transient"] = new JsonObject { ["display_id"] = displayId },
        }, request);
        if (update) _liveLine?.Update(bundle);
    }

    /// <summary>The cell has ended: a console's live line is closed before the reply.</summary>
    public void Finish() => _liveLine?.Close();

    public void Result(MimeBundle bundle)
    {
        _liveLine?.Close();
        ResultText = bundle.Data.TryGetValue(MimeBundle.PlainText, out var text) ? text as string : null;
        protocol.Publish("execute_result", new JsonObject
        {
            ["execution_count"] = executionCount,
            ["data"] = bundle.DataAsJson(),
            ["metadata"] = bundle.MetadataAsJson(),
        }, request);
    }

    public void ClearOutput(bool wait)
    {
        _liveLine?.Close();
        protocol.Publish("clear_output", new JsonObject { ["wait"] = wait }, request);
    }

    public void Error(CellError error)
    {
        _liveLine?.Close();
        protocol.Publish("error", ErrorContent(error), request);
    }

    public static JsonObject ErrorContent(CellError error) => new()
    {
        ["ename"] = error.Name,
        ["evalue"] = error.Value,
        ["traceback"] = new JsonArray(error.Traceback.Select(line => (JsonNode?)JsonValue.Create(line)).ToArray()),
    };

    public string? RequestInput(string prompt, bool password) =>
        allowStdin ? protocol.RequestInput(request, prompt, password, inputCancellation) : null;
}
