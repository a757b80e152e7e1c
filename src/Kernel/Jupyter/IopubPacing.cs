using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.ZeroMq;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// IOPub that waits for its readers instead of losing their messages. A PUB socket drops a message for a
/// subscriber whose queue is full (1,000 messages in the kernel plus 1,000 in a default client); a cell that
/// displays faster than a Python client reads lost thousands of outputs, and sometimes the result and the
/// final idle, to jupyter_client's default settings. With ZMQ_XPUB_NODROP the socket refuses instead, and
/// the send waits (ZMQ_SNDTIMEO) until the reader has made room, so a fast cell is paced by its slowest
/// reader: outputs arrive complete and in order, and kernel memory stays bounded by the queues.
/// </summary>
/// <remarks>
/// A client that connected and stopped reading would stall every cell for ever; so when one send has
/// waited <see cref="StallTimeout"/> without room, publishing stops waiting (messages for a full queue are
/// dropped, as ipykernel's PUB socket drops them) until a message gets through again. Both switches are logged.
/// </remarks>
internal sealed class IopubPacing
{
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(2);

    private readonly ZmqSocket _socket;
    private readonly object _gate = new();
    private bool _stalled;
    private long _dropped;

    public IopubPacing(ZmqSocket socket)
    {
        _socket = socket;
        socket.SetOption(LibZmq.XPUB_NODROP, 1);
        socket.SetOption(LibZmq.SNDTIMEO, (int)StallTimeout.TotalMilliseconds);
    }

    /// <summary>Publishes one message, waiting for room unless a reader is stalled; called from any thread.</summary>
    public void Send(IReadOnlyList<byte[]> frames)
    {
        lock (_gate)
        {
            if (_socket.TrySendMultipart(frames, wait: !_stalled))
            {
                if (_stalled)
                {
                    _stalled = false;
                    KernelLog.Write($"iopub: subscribers read again; {_dropped} messages were dropped while one was stalled");
                    _dropped = 0;
                }
                return;
            }
            _dropped++;
            if (!_stalled)
            {
                _stalled = true;
                KernelLog.Write($"iopub: a subscriber has read nothing for {StallTimeout.TotalSeconds:0} s; messages it has no room for are dropped until it reads again");
            }
        }
    }
}
