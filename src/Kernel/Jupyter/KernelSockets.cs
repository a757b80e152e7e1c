using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.ZeroMq;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// The kernel's five bound sockets: shell and control (ROUTER), iopub (PUB), stdin (ROUTER), heartbeat (REP).
/// Messages are signed into frames here; each socket is used by several threads and serialised by its own lock.
/// </summary>
internal sealed class KernelSockets : IDisposable
{
    private readonly ZmqContext _context = new();
    private readonly IopubPacing _iopub;
    private readonly object _stdinGate = new();
    private readonly object _shellGate = new();
    private readonly object _controlGate = new();

    public KernelSockets(ConnectionFile connection)
    {
        Signer = new MessageSigner(connection.Key);
        if (!Signer.Enabled)
            KernelLog.Write("warning: the connection file's key is empty, so messages are neither signed nor checked: anyone who can reach these ports can run code");
        Shell = Bind(LibZmq.ROUTER, connection, connection.ShellPort);
        Control = Bind(LibZmq.ROUTER, connection, connection.ControlPort);
        Stdin = Bind(LibZmq.ROUTER, connection, connection.StdinPort);
        Iopub = Bind(LibZmq.PUB, connection, connection.IopubPort);
        _iopub = new IopubPacing(Iopub);
        Heartbeat = Bind(LibZmq.REP, connection, connection.HeartbeatPort);
    }

    public MessageSigner Signer { get; }

    public ZmqSocket Shell { get; }
    public ZmqSocket Control { get; }
    public ZmqSocket Stdin { get; }
    public ZmqSocket Iopub { get; }
    public ZmqSocket Heartbeat { get; }

    private ZmqSocket Bind(int type, ConnectionFile connection, int port)
    {
        var socket = _context.Socket(type);
        if (type == LibZmq.ROUTER) socket.SetOption(LibZmq.ROUTER_HANDOVER, 1);
        if (connection.IsIpv6) socket.SetOption(LibZmq.IPV6, 1);
        socket.Bind(connection.Endpoint(port));
        return socket;
    }

    public void Publish(JupyterMessage message)
    {
        _iopub.Send(message.ToFrames(Signer));
    }

    /// <summary>Sends a reply on the socket its request came in on (the message carries the requester's identities).</summary>
    public void Send(ZmqSocket socket, JupyterMessage message)
    {
        var frames = message.ToFrames(Signer);
        lock (socket == Control ? _controlGate : _shellGate) socket.SendMultipart(frames);
    }

    /// <summary>Sends an input_request on stdin and waits for the input_reply's value (or the token's cancellation: an interrupt).</summary>
    public string? RequestInput(JupyterMessage inputRequest, CancellationToken cancellation)
    {
        lock (_stdinGate)
        {
            Stdin.SendMultipart(inputRequest.ToFrames(Signer));
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                if (!Stdin.Poll(100)) continue;
                var reply = Stdin.ReceiveMultipart();
                if (reply is null) return null;
                try
                {
                    var message = JupyterMessage.Parse(reply, Signer);
                    if (message.MsgType == "input_reply") return (string?)message.Content["value"] ?? "";
                }
                catch (MalformedMessageException e) { KernelLog.Write($"stdin: dropped a message: {e.Message}"); }
            }
        }
    }

    public void Shutdown() => _context.Shutdown();

    public void Dispose()
    {
        foreach (var socket in new[] { Shell, Control, Stdin, Iopub, Heartbeat }) socket.Dispose();
        _context.Dispose();
    }
}
