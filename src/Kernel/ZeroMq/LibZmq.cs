using System.Runtime.InteropServices;

namespace ArchNotebooks.Kernel.ZeroMq;

/// <summary>The few libzmq 4.x entry points the kernel uses, from Debian's libzmq5 (libzmq.so.5).</summary>
internal static unsafe partial class LibZmq
{
    private const string Lib = "libzmq.so.5";

    public const int PUB = 1, SUB = 2, REQ = 3, REP = 4, DEALER = 5, ROUTER = 6;
    public const int SNDMORE = 2, DONTWAIT = 1;
    public const int POLLIN = 1;
    public const int IDENTITY = 5, SUBSCRIBE = 6, RCVMORE = 13, LINGER = 17, RCVTIMEO = 27, SNDTIMEO = 28, LAST_ENDPOINT = 32, ROUTER_HANDOVER = 56;
    public const int SNDHWM = 23, IPV6 = 42, XPUB_NODROP = 69;
    public const int EAGAIN = 11, EINTR = 4, ETERM = 156384712 + 53;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollItem
    {
        public nint Socket;
        public int Fd;
        public short Events;
        public short Revents;
    }

    // zmq_msg_t is an opaque 64-byte, 8-aligned block.
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    public struct Message { private readonly long _first; }

    [LibraryImport(Lib, EntryPoint = "zmq_ctx_new")] public static partial nint CtxNew();
    [LibraryImport(Lib, EntryPoint = "zmq_ctx_term")] public static partial int CtxTerm(nint ctx);
    [LibraryImport(Lib, EntryPoint = "zmq_ctx_shutdown")] public static partial int CtxShutdown(nint ctx);
    [LibraryImport(Lib, EntryPoint = "zmq_socket")] public static partial nint Socket(nint ctx, int type);
    [LibraryImport(Lib, EntryPoint = "zmq_close")] public static partial int Close(nint socket);
    [LibraryImport(Lib, EntryPoint = "zmq_bind", StringMarshalling = StringMarshalling.Utf8)] public static partial int Bind(nint socket, string endpoint);
    [LibraryImport(Lib, EntryPoint = "zmq_connect", StringMarshalling = StringMarshalling.Utf8)] public static partial int Connect(nint socket, string endpoint);
    [LibraryImport(Lib, EntryPoint = "zmq_setsockopt")] public static partial int SetSockOpt(nint socket, int option, void* value, nuint length);
    [LibraryImport(Lib, EntryPoint = "zmq_getsockopt")] public static partial int GetSockOpt(nint socket, int option, void* value, ref nuint length);
    [LibraryImport(Lib, EntryPoint = "zmq_send")] public static partial int Send(nint socket, void* buffer, nuint length, int flags);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_init")] public static partial int MsgInit(Message* message);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_recv")] public static partial int MsgRecv(Message* message, nint socket, int flags);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_data")] public static partial void* MsgData(Message* message);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_size")] public static partial nuint MsgSize(Message* message);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_more")] public static partial int MsgMore(Message* message);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_close")] public static partial int MsgClose(Message* message);
    [LibraryImport(Lib, EntryPoint = "zmq_poll")] public static partial int Poll(PollItem* items, int count, long timeoutMs);
    [LibraryImport(Lib, EntryPoint = "zmq_errno")] public static partial int Errno();
    [LibraryImport(Lib, EntryPoint = "zmq_strerror")] public static partial nint StrError(int errnum);

    public static string LastError()
    {
        int errno = Errno();
        return $"{Marshal.PtrToStringUTF8(StrError(errno))} (errno {errno})";
    }
}
