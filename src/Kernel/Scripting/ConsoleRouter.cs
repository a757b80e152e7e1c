using System.Text;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// One session's Console.Out/Error/In: writes are buffered briefly and streamed to the running cell's
/// output (every 50 ms, and before any display so order is kept); reads become input requests. Writes
/// from background threads after a cell ends go to the last cell that ran.
/// </summary>
/// <remarks>
/// Console is one per process, so <see cref="InstallOnce"/> points it at writers that pick the router of
/// the session whose cell runs on the current flow (<see cref="MakeCurrent"/>, an AsyncLocal that flows into
/// the tasks and threads a cell starts). Two sessions in one process keep their output apart; a write
/// from no cell at all (a finalizer, a thread started outside any cell) goes to the process's own streams.
/// </remarks>
internal sealed class ConsoleRouter : IDisposable
{
    private static readonly AsyncLocal<ConsoleRouter?> s_current = new();
    private static readonly object s_installGate = new();
    private static bool s_installed;

    private readonly object _gate = new();
    private readonly StringBuilder _stdout = new(), _stderr = new();
    private readonly Timer _timer;
    private ICellOutput _output = NullCellOutput.Instance;

    public ConsoleRouter()
    {
        Out = new RoutedWriter(this, "stdout");
        Error = new RoutedWriter(this, "stderr");
        In = new RoutedReader(this);
        _timer = new Timer(_ => FlushOnTimer(), null, 50, 50);
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public TextReader In { get; }

    /// <summary>Routes Console through the current flow's router from now on (idempotent).</summary>
    public static void InstallOnce()
    {
        lock (s_installGate)
        {
            if (s_installed) return;
            s_installed = true;
            var (stdout, stderr, stdin) = (Console.Out, Console.Error, Console.In);
            Console.SetOut(new AmbientWriter(router => router.Out, stdout));
            Console.SetError(new AmbientWriter(router => router.Error, stderr));
            Console.SetIn(new AmbientReader(stdin));
        }
    }

    /// <summary>Makes this the router Console writes to for the rest of the calling flow.</summary>
    public void MakeCurrent() => s_current.Value = this;

    public void Attach(ICellOutput output)
    {
        Flush();
        lock (_gate) _output = output;
    }

    public ICellOutput Current { get { lock (_gate) return _output; } }

    private void Append(string stream, string text)
    {
        lock (_gate) (stream == "stdout" ? _stdout : _stderr).Append(text);
    }

    public void Flush()
    {
        lock (_gate)
        {
            // Publish under the lock so two flushes (timer and cell end) cannot reorder text.
            if (_stdout.Length > 0) { var text = _stdout.ToString(); _stdout.Clear(); _output.Stream("stdout", text); }
            if (_stderr.Length > 0) { var text = _stderr.ToString(); _stderr.Clear(); _output.Stream("stderr", text); }
        }
    }

    /// <summary>An exception thrown on a timer thread ends the process, so a failed publish is logged here and the text dropped.</summary>
    private void FlushOnTimer()
    {
        try { Flush(); }
        catch (Exception e) { KernelLog.Write($"console output could not be published and was dropped: {e.GetType().Name}: {e.Message}"); }
    }

    public void Dispose() => _timer.Dispose();

    private sealed class RoutedWriter(ConsoleRouter router, string stream) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => router.Append(stream, value.ToString());
        public override void Write(string? value) { if (!string.IsNullOrEmpty(value)) router.Append(stream, value); }
        public override void Write(char[] buffer, int index, int count) => router.Append(stream, new string(buffer, index, count));
        public override void Write(ReadOnlySpan<char> buffer) => router.Append(stream, new string(buffer));
        public override void WriteLine(string? value) => router.Append(stream, value + "\n");
        public override void Flush() => router.Flush();
    }

    private sealed class RoutedReader(ConsoleRouter router) : TextReader
    {
        public override string? ReadLine()
        {
            router.Flush();
            return router.Current.RequestInput("", password: false)
                   ?? throw new InvalidOperationException("stdin is not available here: the front end does not allow input requests (allow_stdin is false)");
        }

        public override int Read() => -1;
        public override string ReadToEnd() => ReadLine() ?? "";
    }

    /// <summary>What Console.Out/Error are: the current flow's session writer, else the process's stream.</summary>
    private sealed class AmbientWriter(Func<ConsoleRouter, TextWriter> pick, TextWriter outside) : TextWriter
    {
        private TextWriter Target => s_current.Value is { } router ? pick(router) : outside;
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void Write(ReadOnlySpan<char> buffer) => Target.Write(buffer);
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void Flush() => Target.Flush();
    }

    private sealed class AmbientReader(TextReader outside) : TextReader
    {
        private TextReader Source => s_current.Value?.In ?? outside;
        public override string? ReadLine() => Source.ReadLine();
        public override int Read() => Source.Read();
        public override int Peek() => Source.Peek();
        public override string ReadToEnd() => Source.ReadToEnd();
    }
}
