using ArchNotebooks.Interactive;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace ArchNotebooks.Kernel.Scripting;

public sealed partial class ScriptSession
{
    /// <summary>
    /// Evaluates <paramref name="expression"/> against the session's variables and returns its value's bundle, or its error
    /// (Jupyter's user_expressions). The submission is thrown away afterwards: it declares nothing, and the next cell
    /// continues from the state the last cell left. Waits for a running cell like any other submission.
    /// </summary>
    public async Task<(MimeBundle? Value, CellError? Error)> EvaluateAsync(string expression)
    {
        await _running.WaitAsync();
        try
        {
            await _warmUp;
            _notebook.MakeCurrent();
            _console.MakeCurrent();
            var state = _state ?? throw new InvalidOperationException("the session has not started");
            var script = state.Script.ContinueWith<object>(expression, _environment.Options("user_expression", _referencesInChain));
            ScriptState<object> result;
            try { result = await script.RunFromAsync(state, catchException: _ => true); }
            catch (CompilationErrorException e)
            {
                return (null, Tracebacks.FromDiagnostics(e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList(), "user_expression"));
            }
            if (result.Exception is { } exception) return (null, Tracebacks.FromException(exception, interrupted: false));
            return (Formatters.Format(result.ReturnValue), null);
        }
        finally
        {
            _console.Flush();
            _running.Release();
        }
    }
}
