using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>
/// One archnb script session for the magic tests, as the kernel runs cells: the host loads
/// ArchNotebooks.Extensions.dll from beside archnb.dll and dispatches #!arch to it. Its cells run one at
/// a time and share variables, so every test using it is in one collection.
/// </summary>
public sealed class MagicSession : IDisposable
{
    public ScriptSession Session { get; }
    public string Runs { get; } = Path.Combine(Path.GetTempPath(), "archnb-magic-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public MagicSession()
    {
        Session = new ScriptSession(Path.GetTempPath());
        // Tiny models everywhere: the whole suite must stay quick on two cores.
        var setup = Run("#!arch model transformer --name m --task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2,maxlen=16");
        if (setup.Error is not null) throw new InvalidOperationException("setup failed: " + setup.Error);
    }

    public CellRecord Run(string code)
    {
        var output = new CellRecord();
        output.Error = Session.ExecuteAsync(code, output).GetAwaiter().GetResult();
        return output;
    }

    public void Dispose()
    {
        Session.Dispose();
        try { Directory.Delete(Runs, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Everything one cell produced, in order, with helpers to read displays by mime type.</summary>
public sealed class CellRecord : ICellOutput
{
    public List<(string Kind, object Payload, string? Id)> Items { get; } = new();
    public CellError? Error { get; set; }

    public string Stdout { get { lock (Items) return string.Concat(Items.Where(i => i.Kind == "stdout").Select(i => (string)i.Payload)); } }
    public List<MimeBundle> Displays { get { lock (Items) return Items.Where(i => i.Kind == "display").Select(i => (MimeBundle)i.Payload).ToList(); } }
    public List<MimeBundle> Updates { get { lock (Items) return Items.Where(i => i.Kind == "update").Select(i => (MimeBundle)i.Payload).ToList(); } }
    public List<string> DisplayIds { get { lock (Items) return Items.Where(i => i.Kind is "display").Select(i => i.Id!).ToList(); } }
    public List<string> UpdateIds { get { lock (Items) return Items.Where(i => i.Kind is "update").Select(i => i.Id!).ToList(); } }

    /// <summary>All text/html shown (displays and updates), joined.</summary>
    public string Html => string.Join("\n", Displays.Concat(Updates).Where(b => b.Contains(MimeBundle.Html)).Select(b => (string)b[MimeBundle.Html]));
    public string Text => string.Join("\n", Displays.Concat(Updates).Select(b => (string)b[MimeBundle.PlainText]));
    public string ErrorText => Error is null ? "" : Error.Value + "\n" + string.Join("\n", Error.Traceback);

    public void Stream(string name, string text) { lock (Items) Items.Add((name, text, null)); }
    public void Display(MimeBundle bundle, string displayId, bool update) { lock (Items) Items.Add((update ? "update" : "display", bundle, displayId)); }
    public void Result(MimeBundle bundle) { lock (Items) Items.Add(("result", bundle, null)); }
    void ICellOutput.Error(CellError error) { lock (Items) Items.Add(("error", error, null)); }
    public string? RequestInput(string prompt, bool password) => null;

    public string? ResultText { get { lock (Items) return Items.Where(i => i.Kind == "result").Select(i => (string)((MimeBundle)i.Payload)[MimeBundle.PlainText]).LastOrDefault(); } }

    /// <summary>The plotly figures embedded in the HTML of displays (their JSON script elements), parsed.</summary>
    public List<JsonObject> Figures()
    {
        var figures = new List<JsonObject>();
        foreach (var html in Displays.Where(b => b.Contains(MimeBundle.Html)).Select(b => (string)b[MimeBundle.Html]))
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html, "<script type=\"application/json\" id=\"[^\"]+\">(.*?)</script>"))
                figures.Add(JsonNode.Parse(m.Groups[1].Value)!.AsObject());
        return figures;
    }
}

[CollectionDefinition("magics")]
public sealed class MagicCollection : ICollectionFixture<MagicSession>;
