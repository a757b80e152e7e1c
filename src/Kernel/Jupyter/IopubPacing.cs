using System.Diagnostics;
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
/// A client that connected and stopped reading would stall every cell for ever, and with NODROP its full
/// queue holds back every other client's messages too. So when one send has waited <see cref="StallTimeout"/>,
/// the socket turns lossy (a PUB again: only the full queue loses messages) and, at most once per
/// <see cref="ProbeInterval"/>, tries a message without dropping; when that goes through, the reader has
/// caught up and pacing resumes. Both switches are logged.
/// </remarks>
internal sealed class IopubPacing
{
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly ZmqSocket _socket;
    private readonly object _gate = new();
    private bool _lossy;
    private long _lastProbe;

    public IopubPacing(ZmqSocket socket)
    {
        _socket = socket;
        socket.SetOption(LibZmq.SNDTIMEO, (int)StallTimeout.TotalMilliseconds);
        SetLossy(false);
    }

    /// <summary>Publishes one message, waiting for room unless a reader has stalled; called from any thread.</summary>
    public void Send(IReadOnlyList<byte[]> frames)
    {
        lock (_gate)
        {
            if (!_lossy)
            {
                if (_socket.TrySendMultipart(frames, wait: true)) return;
                SetLossy(true);
                _lastProbe = Stopwatch.GetTimestamp();
                KernelLog.Write($"iopub: a subscriber has read nothing for {StallTimeout.TotalSeconds:0} s; until it reads again, messages it has no room for are dropped");
            }
            else if (Stopwatch.GetElapsedTime(_lastProbe) >= ProbeInterval)
            {
                _lastProbe = Stopwatch.GetTimestamp();
                SetLossy(false);
                if (_socket.TrySendMultipart(frames, wait: false))
                {
                    KernelLog.Write("iopub: every subscriber reads again; publishing waits for them again");
                    return;
                }
                SetLossy(true);
            }
            _socket.SendMultipart(frames);
        }
    }

    private void SetLossy(bool lossy)
    {
        _socket.SetOption(LibZmq.XPUB_NODROP, lossy ? 0 : 1);
        _lossy = lossy;
    }
}
