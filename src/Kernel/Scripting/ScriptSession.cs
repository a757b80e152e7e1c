using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Magics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// One C# session: Roslyn script state carried across cells, magic dispatch, console capture,
/// displays and the interrupt rewrite. The Jupyter kernel, the notebook runner and
/// <c>archnb script</c> all run code through this. What extensions and magics share with it (formatters,
/// magics, displays, cancellation) is its <see cref="Notebook"/>; sessions in one process share nothing.
/// </summary>
public sealed partial class ScriptSession : IDisposable
{
    internal static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview, kind: SourceCodeKind.Script);

    private readonly ScriptEnvironment _environment;
    private readonly ScriptGlobals _globals;
    private readonly ConsoleRouter _console = new();
    private readonly NotebookSession _notebook = new();
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly Task _warmUp;
    private ScriptState<object>? _state;
    private ICellOutput _output = NullCellOutput.Instance;
    // Cells are numbered as they are submitted; an interrupt stops every cell submitted before it,
    // also one still waiting for the session (warm-up, the cell before it) or being compiled.
    private long _submitted, _interruptedThrough, _runningTicket;
    private int _referencesInChain;  // entries of _environment.References that submissions of _state already carry
    private readonly object _interruptLock = new();

    public ScriptSession(string? baseDirectory = null, string[]? args = null)
    {
        _environment = new ScriptEnvironment(Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory()));
        _globals = new ScriptGlobals(_notebook) { Args = args ?? [] };
        _notebook.Sink = new SessionDisplaySink(this);
        BuiltInMagics.Register(Magics);
        ConsoleRouter.InstallOnce();
        _warmUp = Task.Run(WarmUpAsync);
    }

    /// <summary>The session's formatters, magics, display sink and cancellation, as extensions and magics see them.</summary>
    public NotebookSession Notebook => _notebook;
    public FormatterRegistry Formatters => _notebook.Formatters;
    public MagicRegistry Magics => _notebook.Magics;
    internal ConsoleRouter Console => _console;
    internal ScriptEnvironment Environment => _environment;
    internal ScriptState<object>? State => _state;
    /// <summary>How many of the environment's references the submissions of <see cref="State"/> already carry.</summary>
    internal int ReferencesInChain => _referencesInChain;

    /// <summary>Completes when the first (slow) Roslyn compile is done; execution waits for it, kernel_info does not.</summary>
    public Task WarmUp => _warmUp;

    private async Task WarmUpAsync()
    {
        Packages.SessionPackages.RemoveFoldersOfDeadKernels();
        _environment.LoadExtensions(_notebook);
        var references = _environment.References.Count;
        var options = _environment.Options("startup");
        _state = await CSharpScript.Create<object>("", options, typeof(ScriptGlobals)).RunAsync(_globals);
        _referencesInChain = references;
        // Compile and run one throw-away expression so the emit and load paths are jitted before the first cell.
        var warm = _state.Script.ContinueWith<object>("var __warm = new List<int> { 1 }.Select(x => x + 1).Sum(); __warm",
            _environment.Options("startup", _referencesInChain));
        warm.Compile();
        await warm.RunFromAsync(_state);
        Completions.WarmUp(this);
    }

    /// <summary>Variables of the session, latest declaration of each name, in declaration order.</summary>
    public IReadOnlyList<NotebookVariable> Variables
    {
        get
        {
            if (_state is null) return [];
            var latest = new Dictionary<string, NotebookVariable>();
            foreach (var v in _state.Variables.Where(v => !v.Name.StartsWith("__", StringComparison.Ordinal)))
            {
                latest.Remove(v.Name);
                latest[v.Name] = new NotebookVariable(v.Name, v.Type, v.Value);
            }
            return latest.Values.ToList();
        }
    }

    /// <summary>Runs one cell; its outputs and (at most one) error go to <paramref name="output"/>. Returns the error, or null on success.
    /// A <paramref name="timeout"/> interrupts the cell once it has run that long (waiting for the session does not count).</summary>
    public async Task<CellError?> ExecuteAsync(string code, ICellOutput output, string cellName = "cell", TimeSpan? timeout = null)
    {
        var ticket = Interlocked.Increment(ref _submitted);
        await _running.WaitAsync();
        Timer? timer = null;
        try
        {
            await _warmUp;
            // The cell's flow (and whatever it starts) finds this session for interrupt checks, Console and Notebook.Display.
            _notebook.MakeCurrent();
            _console.MakeCurrent();
            bool interruptedBeforeStart;
            lock (_interruptLock)
            {
                _notebook.Cancellation.Begin();
                _runningTicket = ticket;
                interruptedBeforeStart = ticket <= _interruptedThrough;
                if (interruptedBeforeStart) _notebook.Cancellation.Request();
            }
            if (timeout is { } limit) timer = new Timer(_ => InterruptCell(ticket), null, limit, Timeout.InfiniteTimeSpan);
            _output = output;
            _console.Attach(output);
            try
            {
                // Interrupted before it started: it does not run at all.
                if (interruptedBeforeStart) throw new OperationCanceledException("The cell was interrupted before it started.");
                await RunCellTextAsync(code, 0, cellName);
                // Library code stops on an interrupt and returns (a Trainer.Fit hands back its partial result);
                // the cell still reports that it was interrupted, as ipykernel does, never "ok".
                _notebook.Cancellation.ThrowIfRequested();
                return null;
            }
            catch (CellFailedException failed) { return Report(failed.Error); }
            catch (Exception e) { return Report(Tracebacks.FromException(e, _notebook.Cancellation.IsRequested)); }
        }
        finally
        {
            timer?.Dispose();
            lock (_interruptLock) _runningTicket = 0;
            _console.Flush();
            _running.Release();
        }
    }

    /// <summary>Interrupts the cell with this ticket if it is still the one running (a cell timeout).</summary>
    private void InterruptCell(long ticket)
    {
        lock (_interruptLock)
        {
            if (_runningTicket != ticket) return;
            _notebook.Cancellation.Request();
            _globals.__CellThread.Interrupt();
        }
        WarnIfStillRunning(ticket);
    }

    private CellError Report(CellError error)
    {
        _console.Flush();
        _output.Error(error);
        return error;
    }

    /// <summary>Runs cell text whose first line is line <paramref name="firstLine"/> of the cell: a leading magic line dispatches, otherwise C#.</summary>
    internal async Task RunCellTextAsync(string text, int firstLine, string cellName)
    {
        if (MagicLine.TryParse(text, out var invocation))
        {
            if (!Magics.TryGet(invocation.Name, out var magic))
                throw new CellFailedException(new CellError("UnknownMagic", $"#!{invocation.Name} is not a magic command",
                    [$"#!{invocation.Name} is not a magic command; #!lsmagic lists the ones there are."]));
            var context = new MagicContext(this, _output, invocation with { BodyLine = firstLine + invocation.BodyLine }, cellName);
            await magic.RunAsync(context.Invocation, context);
            return;
        }
        var (hasValue, value) = await RunCSharpAsync(new string('\n', firstLine) + text, cellName);
        // display(x) as the last expression has shown x already; its handle is not a result (ipykernel's display returns None).
        if (hasValue && value is not null and not DisplayHandle) { _console.Flush(); _output.Result(Formatters.Format(value)); }
    }

    /// <summary>Compiles and runs C# against the session state; throws <see cref="CellFailedException"/> on a compile or runtime error.</summary>
    internal async Task<(bool HasValue, object? Value)> RunCSharpAsync(string code, string cellName)
    {
        if (string.IsNullOrWhiteSpace(code)) return (false, null);
        var state = _state ?? throw new InvalidOperationException("the session has not started");
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        code = MagicLine.BlankShebang(code);
        code = ApplyPackages(code, cellName);
        if (NestingGuard.Check(code, cellName) is { } tooDeep) throw new CellFailedException(tooDeep);
        var rewritten = CancellationRewriter.Rewrite(code, ParseOptions);
        var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        var references = _environment.References.Count;
        var script = state.Script.ContinueWith<object>(rewritten, _environment.Options(cellName, _referencesInChain));
        var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
        // Compiling happens inside RunFromAsync; a separate Compile() first would bind the cell twice.
        ScriptState<object> next;
        try
        {
            Task<ScriptState<object>> running;
            // The cell's code runs on this thread until it finishes or first awaits; only then may interrupts reach it (CellThread).
            try { running = script.RunFromAsync(state, catchException: _ => true); }
            finally { _globals.__CellThread.Leave(); }
            next = await UntilInterrupted(running, cellName);
        }
        catch (CompilationErrorException e)
        {
            throw new CellFailedException(Tracebacks.FromDiagnostics(e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList(), cellName));
        }
        var t3 = System.Diagnostics.Stopwatch.GetTimestamp();
        if (s_trace) KernelLog.Write($"rewrite {Ms(t0, t1)} options {Ms(t1, t2)} compile+run {Ms(t2, t3)} ms");
        _state = next;
        _referencesInChain = references;
        if (next.Exception is { } exception) throw new CellFailedException(Tracebacks.FromException(exception, _notebook.Cancellation.IsRequested));
        return (EndsWithExpression(code), next.ReturnValue);
    }

    /// <summary>
    /// Makes <paramref name="value"/> the session variable <paramref name="name"/>, as if a cell had declared it.
    /// Roslyn adds a script variable only through a submission, so this compiles one declaration, built from
    /// syntax nodes (the name checked as an identifier, the type the value's nearest public one), and then
    /// stores the value through Roslyn's <see cref="ScriptVariable"/>: the value never passes through code or a static.
    /// </summary>
    internal async Task BindAsync(string name, object value, string cellName)
    {
        if (!SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
            throw new ArgumentException($"'{name}' is not a C# variable name", nameof(name));
        var type = TypeNames.Declarable(value.GetType());
        _environment.Reference(type);
        var declaration = SyntaxFactory.LocalDeclarationStatement(
            SyntaxFactory.VariableDeclaration(SyntaxFactory.ParseTypeName(TypeNames.CSharp(type)))
                .AddVariables(SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(
                    SyntaxFactory.PostfixUnaryExpression(SyntaxKind.SuppressNullableWarningExpression,
                        SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression))))));
        await RunCSharpAsync(declaration.NormalizeWhitespace().ToFullString(), cellName);
        _state!.GetVariable(name)!.Value = value;
    }

    private static readonly bool s_trace = System.Environment.GetEnvironmentVariable("ARCHNB_TRACE") == "1";
    private static string Ms(long a, long b) => System.Diagnostics.Stopwatch.GetElapsedTime(a, b).TotalMilliseconds.ToString("F2");

    private static bool EndsWithExpression(string code)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ParseOptions).GetRoot();
        return root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } };
    }

    /// <summary>Stops the running cell at its next loop iteration, method entry or top-level statement, wakes it from a
    /// blocking wait, abandons an await it is stuck in, and stops any cell submitted before this call that has not started
    /// yet (it ends at once with KernelInterrupted).</summary>
    public void Interrupt()
    {
        long running;
        lock (_interruptLock)
        {
            _interruptedThrough = Math.Max(_interruptedThrough, Interlocked.Read(ref _submitted));
            _notebook.Cancellation.Request();
            _globals.__CellThread.Interrupt();
            running = _runningTicket;
        }
        if (running != 0) WarnIfStillRunning(running);
    }

    /// <summary>How many cells have been submitted to this session so far.</summary>
    internal long SubmittedCells => Interlocked.Read(ref _submitted);

    /// <summary>Whether a cell holds the session (running, or waiting for the warm-up).</summary>
    public bool Busy => _running.CurrentCount == 0;

    internal void Publish(MimeBundle bundle, string displayId, bool update)
    {
        _console.Flush();
        _output.Display(bundle, displayId, update);
    }

    public void Dispose()
    {
        _console.Flush();
        _console.Dispose();
        _packages?.Dispose();
    }

    internal void ClearOutput(bool wait)
    {
        _console.Flush();
        _output.ClearOutput(wait);
    }

    private sealed class SessionDisplaySink(ScriptSession session) : IDisplaySink
    {
        public void Publish(MimeBundle bundle, string displayId, bool update) => session.Publish(bundle, displayId, update);
        public void ClearOutput(bool wait) => session.ClearOutput(wait);
    }
}
