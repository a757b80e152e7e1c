namespace ArchNotebooks.Kernel.ZeroMq;

/// <summary>A ZeroMQ context: owns the I/O threads every socket of the kernel shares.</summary>
internal sealed class ZmqContext : IDisposable
{
    public nint Handle { get; private set; } = LibZmq.CtxNew();

    public ZmqSocket Socket(int type) => new(this, type);

    /// <summary>Wakes every blocked call with ETERM so socket threads can exit.</summary>
    public void Shutdown() { if (Handle != 0) LibZmq.CtxShutdown(Handle); }

    public void Dispose()
    {
        if (Handle == 0) return;
        LibZmq.CtxTerm(Handle);
        Handle = 0;
    }
}

/// <summary>
/// One ZeroMQ socket. Not thread-safe: one thread uses it at a time (callers that share one,
/// like IOPub, serialise through a lock).
/// </summary>
internal sealed unsafe class ZmqSocket : IDisposable
{
    private nint _handle;

    public ZmqSocket(ZmqContext context, int type)
    {
        _handle = LibZmq.Socket(context.Handle, type);
        if (_handle == 0) throw new ZmqException("zmq_socket");
        SetOption(LibZmq.LINGER, 0);
    }

    public nint Handle => _handle;

    public void SetOption(int option, int value)
    {
        if (LibZmq.SetSockOpt(_handle, option, &value, sizeof(int)) != 0) throw new ZmqException($"zmq_setsockopt({option})");
    }

    public void SetOption(int option, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            if (LibZmq.SetSockOpt(_handle, option, p, (nuint)value.Length) != 0) throw new ZmqException($"zmq_setsockopt({option})");
    }

    /// <summary>Binds and returns the endpoint actually bound (port 0 or * picks a free port).</summary>
    public string Bind(string endpoint)
    {
        if (LibZmq.Bind(_handle, endpoint) != 0) throw new ZmqException($"zmq_bind({endpoint})");
        var buffer = stackalloc byte[256];
        nuint length = 256;
        LibZmq.GetSockOpt(_handle, LibZmq.LAST_ENDPOINT, buffer, ref length);
        return new string((sbyte*)buffer, 0, (int)length).TrimEnd('\0');
    }

    public void Connect(string endpoint)
    {
        if (LibZmq.Connect(_handle, endpoint) != 0) throw new ZmqException($"zmq_connect({endpoint})");
    }

    /// <summary>Sends all frames as one multipart message.</summary>
    public void SendMultipart(IReadOnlyList<byte[]> frames)
    {
        for (int i = 0; i < frames.Count; i++) Send(frames[i], more: i < frames.Count - 1);
    }

    /// <summary>
    /// Sends all frames as one message unless the first is refused with EAGAIN (a full queue on a socket that
    /// does not drop, after SNDTIMEO when <paramref name="wait"/>, at once otherwise): then nothing is sent and this returns false.
    /// </summary>
    public bool TrySendMultipart(IReadOnlyList<byte[]> frames, bool wait)
    {
        fixed (byte* p = frames[0])
        {
            int flags = (wait ? 0 : LibZmq.DONTWAIT) | (frames.Count > 1 ? LibZmq.SNDMORE : 0);
            while (LibZmq.Send(_handle, p, (nuint)frames[0].Length, flags) < 0)
            {
                int errno = LibZmq.Errno();
                if (errno == LibZmq.EINTR) continue;
                if (errno == LibZmq.EAGAIN) return false;
                throw new ZmqException("zmq_send", errno);
            }
        }
        // Once the first frame is queued the rest of the message always is (the queue limit counts whole messages).
        for (int i = 1; i < frames.Count; i++) Send(frames[i], more: i < frames.Count - 1);
        return true;
    }

    public void Send(ReadOnlySpan<byte> frame, bool more)
    {
        fixed (byte* p = frame)
        {
            while (LibZmq.Send(_handle, p, (nuint)frame.Length, more ? LibZmq.SNDMORE : 0) < 0)
            {
                if (LibZmq.Errno() == LibZmq.EINTR) continue;
                throw new ZmqException("zmq_send");
            }
        }
    }

    /// <summary>Receives every frame of the next message; null when the context is shutting down.</summary>
    public List<byte[]>? ReceiveMultipart()
    {
        var frames = new List<byte[]>(8);
        LibZmq.Message message;
        while (true)
        {
            LibZmq.MsgInit(&message);
            if (LibZmq.MsgRecv(&message, _handle, 0) < 0)
            {
                int errno = LibZmq.Errno();
                LibZmq.MsgClose(&message);
                if (errno == LibZmq.EINTR) continue;
                if (errno == LibZmq.ETERM) return null;
                throw new ZmqException("zmq_msg_recv");
            }
            var size = (int)LibZmq.MsgSize(&message);
            frames.Add(new ReadOnlySpan<byte>(LibZmq.MsgData(&message), size).ToArray());
            bool more = LibZmq.MsgMore(&message) != 0;
            LibZmq.MsgClose(&message);
            if (!more) return frames;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a message; false on timeout.</summary>
    public bool Poll(int timeoutMs)
    {
        var item = new LibZmq.PollItem { Socket = _handle, Events = LibZmq.POLLIN };
        int n = LibZmq.Poll(&item, 1, timeoutMs);
        if (n < 0)
        {
            int errno = LibZmq.Errno();
            if (errno == LibZmq.EINTR) return false;
            if (errno == LibZmq.ETERM) throw new ZmqException("zmq_poll", errno);
            throw new ZmqException("zmq_poll");
        }
        return (item.Revents & LibZmq.POLLIN) != 0;
    }

    public void Dispose()
    {
        if (_handle == 0) return;
        LibZmq.Close(_handle);
        _handle = 0;
    }
}

/// <summary>A failed libzmq call, with zmq_strerror's text.</summary>
internal sealed class ZmqException(string call, int? errno = null) : Exception($"{call} failed: {LibZmq.LastError()}")
{
    public int Errno { get; } = errno ?? LibZmq.Errno();
    public bool IsTerminating => Errno == LibZmq.ETERM;
}
