using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.ZeroMq;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// The Jupyter kernel process: shell requests on the main thread (cells run there, one at a time),
/// control (interrupt, shutdown, kernel_info) and heartbeat on their own threads so they answer while
/// a cell runs. Every request is wrapped in busy/idle; bad messages are logged and dropped.
/// </summary>
internal sealed class JupyterKernel : IDisposable
{
    private readonly KernelSockets _sockets;
    private readonly ScriptSession _session;
    private readonly ShellHandlers _handlers;
    private volatile bool _stopping;

    public JupyterKernel(ConnectionFile connection)
    {
        _sockets = new KernelSockets(connection);
        _session = new ScriptSession();
        _handlers = new ShellHandlers(_sockets, _session);
    }

    public int Run()
    {
        StartThread("heartbeat", Heartbeat);
        StartThread("control", () => Serve(_sockets.Control));
        _sockets.PublishStatus("starting", null);
        KernelLog.Write($"kernel ready (session {_sockets.Session})");
        Serve(_sockets.Shell);
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

    private void Serve(ZmqSocket socket)
    {
        while (!_stopping)
        {
            List<byte[]>? frames;
            try
            {
                if (!socket.Poll(200)) continue;
                frames = socket.ReceiveMultipart();
            }
            catch (ZmqException e) when (e.IsTerminating) { return; }
            if (frames is null) return;
            JupyterMessage request;
            try { request = JupyterMessage.Parse(frames, _sockets.Signer); }
            catch (MalformedMessageException e)
            {
                KernelLog.Write($"{(socket == _sockets.Shell ? "shell" : "control")}: dropped a message: {e.Message}");
                continue;
            }
            Handle(socket, request);
        }
    }

    private void Handle(ZmqSocket socket, JupyterMessage request)
    {
        _sockets.PublishStatus("busy", request);
        try
        {
            switch (request.MsgType)
            {
                case "interrupt_request":
                    _session.Interrupt();
                    _sockets.Reply(socket, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request":
                    Shutdown(socket, request);
                    return;
                default:
                    if (!_handlers.TryHandle(socket, request))
                        KernelLog.Write($"ignored a message of unknown type '{request.MsgType}'");
                    break;
            }
        }
        catch (Exception e)
        {
            // A handler bug must not take the kernel down; the client gets an error reply where one is expected.
            KernelLog.Write($"{request.MsgType} failed: {e}");
            if (request.MsgType.EndsWith("_request", StringComparison.Ordinal))
                _sockets.Reply(socket, request, request.MsgType.Replace("_request", "_reply"),
                    new JsonObject { ["status"] = "error", ["ename"] = e.GetType().Name, ["evalue"] = e.Message, ["traceback"] = new JsonArray() });
        }
        finally
        {
            _sockets.PublishStatus("idle", request);
        }
    }

    private void Shutdown(ZmqSocket socket, JupyterMessage request)
    {
        bool restart = request.Content["restart"]?.GetValue<bool>() ?? false;
        _sockets.Reply(socket, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
        _sockets.PublishStatus("idle", request);
        _stopping = true;
        _session.Interrupt();
        KernelLog.Write(restart ? "restart requested: exiting so the client starts a fresh kernel" : "shutdown requested");
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
