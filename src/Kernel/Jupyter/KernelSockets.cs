using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.ZeroMq;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// The kernel's five bound sockets: shell and control (ROUTER), iopub (PUB), stdin (ROUTER), heartbeat (REP).
/// Sends are signed here; IOPub is shared by several threads and serialised by a lock.
/// </summary>
internal sealed class KernelSockets : IDisposable
{
    private readonly ZmqContext _context = new();
    private readonly object _iopubGate = new();
    private readonly object _stdinGate = new();
    private readonly object _shellGate = new();
    private readonly object _controlGate = new();

    public KernelSockets(ConnectionFile connection)
    {
        Signer = new MessageSigner(connection.Key);
        Session = Guid.NewGuid().ToString();
        Shell = Bind(LibZmq.ROUTER, connection, connection.ShellPort);
        Control = Bind(LibZmq.ROUTER, connection, connection.ControlPort);
        Stdin = Bind(LibZmq.ROUTER, connection, connection.StdinPort);
        Iopub = Bind(LibZmq.PUB, connection, connection.IopubPort);
        Heartbeat = Bind(LibZmq.REP, connection, connection.HeartbeatPort);
    }

    public MessageSigner Signer { get; }

    /// <summary>This process's session id: new on every start, so clients can tell a restart.</summary>
    public string Session { get; }

    public ZmqSocket Shell { get; }
    public ZmqSocket Control { get; }
    public ZmqSocket Stdin { get; }
    public ZmqSocket Iopub { get; }
    public ZmqSocket Heartbeat { get; }

    private ZmqSocket Bind(int type, ConnectionFile connection, int port)
    {
        var socket = _context.Socket(type);
        if (type == LibZmq.ROUTER) socket.SetOption(LibZmq.ROUTER_HANDOVER, 1);
        socket.Bind(connection.Endpoint(port));
        return socket;
    }

    /// <summary>A message of <paramref name="msgType"/> answering or caused by <paramref name="parent"/>.</summary>
    public JupyterMessage Create(string msgType, JsonObject content, JupyterMessage? parent, IReadOnlyList<byte[]>? identities = null) => new()
    {
        Identities = identities ?? [],
        Header = JupyterMessage.NewHeader(msgType, Session),
        ParentHeader = parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(),
        Content = content,
    };

    public void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        var message = Create(msgType, content, parent, [System.Text.Encoding.UTF8.GetBytes($"kernel.{Session}.{msgType}")]);
        var frames = message.ToFrames(Signer);
        lock (_iopubGate) Iopub.SendMultipart(frames);
    }

    public void PublishStatus(string state, JupyterMessage? parent) => Publish("status", new JsonObject { ["execution_state"] = state }, parent);

    /// <summary>Sends <paramref name="msgType"/> back to the requester on the socket the request came in on.</summary>
    public void Reply(ZmqSocket socket, JupyterMessage request, string msgType, JsonObject content)
    {
        var frames = Create(msgType, content, request, request.Identities).ToFrames(Signer);
        lock (socket == Control ? _controlGate : _shellGate) socket.SendMultipart(frames);
    }

    /// <summary>input_request on stdin, routed to the client that sent <paramref name="parent"/>; waits for input_reply (or interrupt).</summary>
    public string? RequestInput(JupyterMessage parent, string prompt, bool password)
    {
        lock (_stdinGate)
        {
            var frames = Create("input_request", new JsonObject { ["prompt"] = prompt, ["password"] = password }, parent, parent.Identities).ToFrames(Signer);
            Stdin.SendMultipart(frames);
            while (true)
            {
                Interactive.CellCancellation.ThrowIfRequested();
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
