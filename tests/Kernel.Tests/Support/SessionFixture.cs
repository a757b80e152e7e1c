using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Tests.Support;

/// <summary>One script session shared by the in-process tests (its cells run one at a time, so they share a collection).</summary>
public sealed class SessionFixture : IDisposable
{
    public ScriptSession Session { get; } = new(Path.GetTempPath());

    public RecordingOutput Run(string code)
    {
        var output = new RecordingOutput();
        output.Error = Session.ExecuteAsync(code, output).GetAwaiter().GetResult();
        return output;
    }

    public void Dispose() => Session.Dispose();
}

/// <summary>Everything one cell produced, in order.</summary>
public sealed class RecordingOutput : ICellOutput
{
    public List<(string Kind, object Payload)> Items { get; } = new();
    public CellError? Error { get; set; }
    public Queue<string> Input { get; } = new();

    public string Stdout => string.Concat(Items.Where(i => i.Kind == "stdout").Select(i => (string)i.Payload));
    public string Stderr => string.Concat(Items.Where(i => i.Kind == "stderr").Select(i => (string)i.Payload));
    public string? ResultText => Items.Where(i => i.Kind == "result").Select(i => (string)((MimeBundle)i.Payload).Data[MimeBundle.PlainText]).LastOrDefault();
    public IEnumerable<MimeBundle> Displays => Items.Where(i => i.Kind is "display" or "update").Select(i => (MimeBundle)i.Payload);

    public void Stream(string name, string text) { lock (Items) Items.Add((name, text)); }
    public void Display(MimeBundle bundle, string displayId, bool update) { lock (Items) Items.Add((update ? "update" : "display", bundle)); }
    public void Result(MimeBundle bundle) { lock (Items) Items.Add(("result", bundle)); }
    void ICellOutput.Error(CellError error) { lock (Items) Items.Add(("error", error)); }
    public string? RequestInput(string prompt, bool password) => Input.Count > 0 ? Input.Dequeue() : null;
}

[CollectionDefinition("session")]
public sealed class SessionCollection : ICollectionFixture<SessionFixture>;
