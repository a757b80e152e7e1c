using System.Security.Cryptography;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// HMAC-SHA256 over the four serialized dict frames (header, parent_header, metadata, content),
/// as lowercase hex. Verification is constant-time and refuses a signature it has already seen
/// (jupyter_client does the same: a replayed message is an attack or a bug).
/// </summary>
internal sealed class MessageSigner
{
    private readonly byte[] _key;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private const int HistoryLimit = 1 << 16;

    public MessageSigner(string key) => _key = System.Text.Encoding.UTF8.GetBytes(key);

    public bool Enabled => _key.Length > 0;

    public string Sign(ReadOnlySpan<byte> header, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> content)
    {
        if (!Enabled) return "";
        return Convert.ToHexStringLower(Mac(header, parent, metadata, content));
    }

    public SignatureCheck Verify(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> header, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> content)
    {
        if (!Enabled) return SignatureCheck.Valid;
        if (signature.Length != 64) return SignatureCheck.Invalid;
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(System.Text.Encoding.ASCII.GetString(signature), given, out _, out int written) != System.Buffers.OperationStatus.Done || written != 32)
            return SignatureCheck.Invalid;
        if (!CryptographicOperations.FixedTimeEquals(given, Mac(header, parent, metadata, content))) return SignatureCheck.Invalid;
        // Remember the MAC, not its spelling: hex digits in another case are the same signature replayed.
        var hex = Convert.ToHexStringLower(given);
        lock (_seen)
        {
            if (!_seen.Add(hex)) return SignatureCheck.Duplicate;
            _seenOrder.Enqueue(hex);
            if (_seenOrder.Count > HistoryLimit) _seen.Remove(_seenOrder.Dequeue());
        }
        return SignatureCheck.Valid;
    }

    private byte[] Mac(ReadOnlySpan<byte> header, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> content)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(header);
        hmac.AppendData(parent);
        hmac.AppendData(metadata);
        hmac.AppendData(content);
        return hmac.GetHashAndReset();
    }
}

internal enum SignatureCheck { Valid, Invalid, Duplicate }
