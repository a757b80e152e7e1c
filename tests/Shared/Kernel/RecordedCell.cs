using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Tests.Shared;

/// <summary>
/// Everything one cell produced through the host's <see cref="ICellOutput"/>, in order (kind
/// "stdout", "stderr", "display", "update", "result" or "error"), with readers for the suites that
/// run cells in-process: the kernel's and the magics'.
/// </summary>
public sealed class RecordedCell : ICellOutput
{
    public List<(string Kind, object Payload, string? Id)> Items { get; } = new();
    public CellError? Error { get; set; }

    /// <summary>Lines answered to the cell's input requests, in order; with none left the request gets null (stdin not allowed).</summary>
    public Queue<string> Input { get; } = new();

    public string Stdout => Of<string>("stdout").Aggregate("", string.Concat);
    public string Stderr => Of<string>("stderr").Aggregate("", string.Concat);

    /// <summary>display_data bundles (not their updates).</summary>
    public List<MimeBundle> Displays => Of<MimeBundle>("display");
    public List<MimeBundle> Updates => Of<MimeBundle>("update");
    public List<string> DisplayIds { get { lock (Items) return Items.Where(i => i.Kind == "display").Select(i => i.Id!).ToList(); } }
    public List<string> UpdateIds { get { lock (Items) return Items.Where(i => i.Kind == "update").Select(i => i.Id!).ToList(); } }
    public string? ResultText => Of<MimeBundle>("result").Select(b => (string)b[MimeBundle.PlainText]).LastOrDefault();

    /// <summary>All text/html shown (displays and updates), joined.</summary>
    public string Html => string.Join("\n", Displays.Concat(Updates).Where(b => b.Contains(MimeBundle.Html)).Select(b => (string)b[MimeBundle.Html]));
    public string Text => string.Join("\n", Displays.Concat(Updates).Select(b => (string)b[MimeBundle.PlainText]));
    public string ErrorText => Error is null ? "" : Error.Value + "\n" + string.Join("\n", Error.Traceback);

    /// <summary>The plotly figures embedded in the HTML of displays (their JSON script elements), parsed.</summary>
    public List<JsonObject> Figures() =>
        Displays.Where(b => b.Contains(MimeBundle.Html))
            .SelectMany(b => Regex.Matches((string)b[MimeBundle.Html], "<script type=\"application/json\" id=\"[^\"]+\">(.*?)</script>"))
            .Select(m => JsonNode.Parse(m.Groups[1].Value)!.AsObject()).ToList();

    public void Stream(string name, string text) { lock (Items) Items.Add((name, text, null)); }
    public void Display(MimeBundle bundle, string displayId, bool update) { lock (Items) Items.Add((update ? "update" : "display", bundle, displayId)); }
    public void Result(MimeBundle bundle) { lock (Items) Items.Add(("result", bundle, null)); }
    void ICellOutput.Error(CellError error) { lock (Items) Items.Add(("error", error, null)); }
    public string? RequestInput(string prompt, bool password) { lock (Input) return Input.Count > 0 ? Input.Dequeue() : null; }

    private List<T> Of<T>(string kind) { lock (Items) return Items.Where(i => i.Kind == kind).Select(i => (T)i.Payload).ToList(); }
}
