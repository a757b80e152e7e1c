namespace ArchNotebooks.Interactive;

/// <summary>
/// A magic command: a cell line <c>#!name arguments</c>, dispatched by name before any C# is compiled.
/// The text below the line is the magic's <see cref="MagicInvocation.Body"/>; the magic decides whether
/// it runs as code (<see cref="IMagicContext.RunBodyAsync"/>, e.g. <c>#!time</c>) or is data to it.
/// </summary>
public interface IMagicCommand
{
    /// <summary>The name after <c>#!</c>, e.g. "time" or "arch".</summary>
    string Name { get; }

    /// <summary>One line for <c>#!lsmagic</c>.</summary>
    string Summary { get; }

    Task RunAsync(MagicInvocation invocation, IMagicContext context);
}

/// <summary>One use of a magic: its arguments (the rest of the line) and the cell text below it.</summary>
/// <param name="BodyLine">Zero-based line of the cell where <paramref name="Body"/> starts, for error positions.</param>
public sealed record MagicInvocation(string Name, string Arguments, string Body, int BodyLine);

/// <summary>What a magic can do with the running session.</summary>
public interface IMagicContext
{
    /// <summary>The cell's stdout.</summary>
    TextWriter Out { get; }

    DisplayHandle Display(object? value);

    /// <summary>The session's variables, in declaration order (latest declaration of a name wins).</summary>
    IReadOnlyList<NotebookVariable> Variables { get; }

    /// <summary>Runs the cell text below the magic line: further magics, then C#. Its value is shown as the cell's result.</summary>
    Task RunBodyAsync();

    /// <summary>Evaluates C# in the session (sharing its variables) and returns the value of the last expression.</summary>
    Task<object?> EvaluateAsync(string code);

    /// <summary>
    /// Makes <paramref name="value"/> the session variable <paramref name="name"/>, as if the cell had declared it:
    /// typed as the value's type (or its nearest public base), usable by the C# below the magic line and by later cells.
    /// </summary>
    Task BindAsync(string name, object value);

    /// <summary>Cancelled when the user interrupts the cell.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The session this magic runs in: its formatters, magics, displays and cancellation.</summary>
    NotebookSession Session { get; }

    MagicRegistry Magics => Session.Magics;

    FormatterRegistry Formatters => Session.Formatters;
}

/// <summary>A script variable as <c>#!who</c> and extensions see it.</summary>
public sealed record NotebookVariable(string Name, Type Type, object? Value);

/// <summary>Magic commands by name; the kernel looks names up here.</summary>
public sealed class MagicRegistry
{
    private readonly Dictionary<string, IMagicCommand> _byName = new(StringComparer.Ordinal);

    public void Register(IMagicCommand magic)
    {
        lock (_byName) _byName[magic.Name] = magic;
    }

    /// <summary>Registers a magic from a delegate.</summary>
    public void Register(string name, string summary, Func<MagicInvocation, IMagicContext, Task> run) =>
        Register(new DelegateMagic(name, summary, run));

    public bool TryGet(string name, out IMagicCommand magic)
    {
        lock (_byName) return _byName.TryGetValue(name, out magic!);
    }

    public IReadOnlyList<IMagicCommand> All
    {
        get { lock (_byName) return _byName.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(); }
    }

    private sealed record DelegateMagic(string Name, string Summary, Func<MagicInvocation, IMagicContext, Task> Run) : IMagicCommand
    {
        public Task RunAsync(MagicInvocation invocation, IMagicContext context) => Run(invocation, context);
    }
}
