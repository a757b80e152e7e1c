using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Tests.Support;

/// <summary>One script session shared by the in-process tests (its cells run one at a time, so they share a collection).</summary>
public sealed class SessionFixture : IDisposable
{
    public ScriptSession Session { get; } = new(Path.GetTempPath());

    public RecordedCell Run(string code)
    {
        var output = new RecordedCell();
        output.Error = Session.ExecuteAsync(code, output).GetAwaiter().GetResult();
        return output;
    }

    public void Dispose() => Session.Dispose();
}

[CollectionDefinition("session")]
public sealed class SessionCollection : ICollectionFixture<SessionFixture>;
