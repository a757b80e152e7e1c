using System.Text;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// Console.Out/Error/In for the session: writes are buffered briefly and streamed to the running
/// cell's output (every 50 ms, and before any display so order is kept); reads become input requests.
/// Writes from background threads after a cell ends go to the last cell that ran.
/// </summary>
internal sealed class ConsoleRouter : IDisposable
{
    private readonly object _gate = new();
    private readonly StringBuilder _stdout = new(), _stderr = new();
    private readonly Timer _timer;
    private ICellOutput _output = NullCellOutput.Instance;

    public ConsoleRouter()
    {
        Out = new RoutedWriter(this, "stdout");
        Error = new RoutedWriter(this, "stderr");
        In = new RoutedReader(this);
        _timer = new Timer(_ => Flush(), null, 50, 50);
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public TextReader In { get; }

    public void Install()
    {
        Console.SetOut(Out);
        Console.SetError(Error);
        Console.SetIn(In);
    }

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
}
