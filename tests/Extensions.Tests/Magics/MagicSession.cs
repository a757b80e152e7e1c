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

    public RecordedCell Run(string code)
    {
        var output = new RecordedCell();
        output.Error = Session.ExecuteAsync(code, output).GetAwaiter().GetResult();
        return output;
    }

    public void Dispose()
    {
        Session.Dispose();
        try { Directory.Delete(Runs, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("magics")]
public sealed class MagicCollection : ICollectionFixture<MagicSession>;
