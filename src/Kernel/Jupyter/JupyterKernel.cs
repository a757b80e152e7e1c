using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.ZeroMq;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// The Jupyter kernel process: <see cref="KernelProtocol"/> over ZeroMQ. Shell requests are served on the
/// main thread (cells run there, one at a time), control (interrupt, shutdown, kernel_info) and heartbeat on
/// their own threads so they answer while a cell runs. Frames that fail to parse or verify are logged and dropped.
/// </summary>
internal sealed class JupyterKernel : IDisposable
{
    private readonly KernelSockets _sockets;
    private readonly ScriptSession _session;
    private readonly KernelProtocol _protocol;
    private volatile bool _stopping;

    public JupyterKernel(ConnectionFile connection)
    {
        _sockets = new KernelSockets(connection);
        _session = new ScriptSession();
        _session.Notebook.NotebookDirectory = NotebookLocation.FromEnvironment();
        _protocol = new KernelProtocol(new CSharpInterpreter(_session), _sockets.Publish, _sockets.RequestInput, Exit);
        UnhandledExceptionReport.OnProcessEnding(TellTheFrontEnd);
    }

    /// <summary>The reason the process ends, as stderr of the cell that ran last, so the notebook shows it and not only the server's log.</summary>
    private void TellTheFrontEnd(string text)
    {
        // Bounded: a publish stuck behind a client that does not read must not keep a dying process alive.
        var publish = Task.Run(() => _session.Console.Current.Stream("stderr", text));
        if (publish.Wait(TimeSpan.FromSeconds(1))) Thread.Sleep(200);  // libzmq's I/O thread puts it on the wire
    }

    public int Run()
    {
        StartThread("heartbeat", Heartbeat);
        StartThread("control", () => Serve(_sockets.Control, Channel.Control));
        ParentProcessWatch.Start(ParentDied);
        _protocol.PublishStatus("starting", null);
        KernelLog.Write($"kernel ready (session {_protocol.Session})");
        Serve(_sockets.Shell, Channel.Shell);
        return 0;
    }

    private static void StartThread(string name, Action body) =>
        new Thread(() => body()) { IsBackground = true, Name = name }.Start();

    private void Heartbeat()
    {
        try
        {
            while (!_stopping && _sockets.Heartbeat.ReceiveMultipart() is { } ping) _sockets.Heartbeat.SendMultipart(ping);
        }
        catch (ZmqException e) when (e.IsTerminating) { }
    }

    private void Serve(ZmqSocket socket, Channel channel)
    {
        while (!_stopping)
        {
            List<byte[]>? frames;
            try
            {
                // After a failed cell (stop_on_error), requests already waiting are answered "aborted"; the first time none
                // is waiting, the abort ends. Polling without a wait then finds exactly the requests queued behind the failure.
                bool aborting = channel == Channel.Shell && _protocol.Aborting;
                if (!socket.Poll(aborting ? 0 : 200))
                {
                    if (aborting) _protocol.QueueDrained();
                    continue;
                }
                frames = socket.ReceiveMultipart();
            }
            catch (ZmqException e) when (e.IsTerminating) { return; }
            if (frames is null) return;
            JupyterMessage request;
            try { request = JupyterMessage.Parse(frames, _sockets.Signer); }
            catch (MalformedMessageException e)
            {
                KernelLog.Write($"{channel.ToString().ToLowerInvariant()}: dropped a message: {e.Message}");
                continue;
            }
            try { _protocol.Handle(request, channel, reply => _sockets.Send(socket, reply)); }
            catch (ZmqException e) when (e.IsTerminating) { return; }
            catch (Exception e)
            {
                // Handle answers its own failures; this is the last line, so one odd message never ends the channel's thread.
                KernelLog.Write($"{channel.ToString().ToLowerInvariant()}: {request.MsgType} failed outside its handler: {e}");
            }
        }
    }

    private static void ParentDied(string why)
    {
        KernelLog.Write($"{why}: exiting");
        // Exit code 1, as ipykernel: nobody is left to shut us down properly, and a cell may be stuck in native code.
        Environment.Exit(1);
    }

    private void Exit()
    {
        _stopping = true;
        // Give the I/O thread a moment to put the reply on the wire; a cell stuck in native code must not keep us alive.
        Thread.Sleep(100);
        Environment.Exit(0);
    }

    public void Dispose()
    {
        _session.Dispose();
        _sockets.Shutdown();
        _sockets.Dispose();
    }
}
