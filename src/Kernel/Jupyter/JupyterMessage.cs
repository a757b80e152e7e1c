using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// One Jupyter message: routing identities, header, parent header, metadata, content, buffers.
/// Wire form: [ids..., "&lt;IDS|MSG&gt;", hmac, header, parent_header, metadata, content, buffers...].
/// </summary>
internal sealed class JupyterMessage
{
    public const string ProtocolVersion = "5.3";
    private static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    public IReadOnlyList<byte[]> Identities { get; init; } = [];
    public required JsonObject Header { get; init; }
    public JsonObject ParentHeader { get; init; } = new();
    public JsonObject Metadata { get; init; } = new();
    public required JsonObject Content { get; init; }
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string MsgType => (string?)Header["msg_type"] ?? "";
    public string MsgId => (string?)Header["msg_id"] ?? "";

    public static JsonObject NewHeader(string msgType, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString("N"),
        ["session"] = session,
        ["username"] = "archnb",
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"),
        ["msg_type"] = msgType,
        ["version"] = ProtocolVersion,
    };

    /// <summary>Parses and verifies frames from a ROUTER/SUB socket; throws <see cref="MalformedMessageException"/> on bad input.</summary>
    public static JupyterMessage Parse(List<byte[]> frames, MessageSigner signer)
    {
        int delimiter = frames.FindIndex(f => f.AsSpan().SequenceEqual(Delimiter));
        if (delimiter < 0) throw new MalformedMessageException("no <IDS|MSG> delimiter");
        if (frames.Count < delimiter + 6) throw new MalformedMessageException($"{frames.Count - delimiter - 1} frames after the delimiter, expected at least 5");
        var (sig, header, parent, metadata, content) = (frames[delimiter + 1], frames[delimiter + 2], frames[delimiter + 3], frames[delimiter + 4], frames[delimiter + 5]);
        switch (signer.Verify(sig, header, parent, metadata, content))
        {
            case SignatureCheck.Invalid: throw new MalformedMessageException("invalid signature");
            case SignatureCheck.Duplicate: throw new MalformedMessageException("duplicate signature (replayed message)");
        }
        var message = new JupyterMessage
        {
            Identities = frames.GetRange(0, delimiter),
            Header = ParseObject(header, "header"),
            ParentHeader = ParseObject(parent, "parent_header"),
            Metadata = ParseObject(metadata, "metadata"),
            Content = ParseObject(content, "content"),
            Buffers = frames.GetRange(delimiter + 6, frames.Count - delimiter - 6),
        };
        RequireString(message.Header, "msg_type", required: true);
        RequireString(message.Header, "msg_id", required: false);
        return message;
    }

    /// <summary>Header fields the kernel reads as strings must be strings: anything else is a malformed message, not a crash later.</summary>
    private static void RequireString(JsonObject header, string field, bool required)
    {
        switch (header[field])
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String: return;
            case null when !required: return;
            case null: throw new MalformedMessageException($"header has no {field}");
            case var other: throw new MalformedMessageException($"header {field} is a JSON {other.GetValueKind().ToString().ToLowerInvariant()}, expected a string");
        }
    }

    private static JsonObject ParseObject(byte[] frame, string what)
    {
        try
        {
            return JsonNode.Parse(frame) as JsonObject ?? throw new MalformedMessageException($"{what} is not a JSON object");
        }
        catch (JsonException e) { throw new MalformedMessageException($"{what} is not valid JSON: {e.Message}"); }
    }

    public List<byte[]> ToFrames(MessageSigner signer)
    {
        var header = Serialize(Header);
        var parent = Serialize(ParentHeader);
        var metadata = Serialize(Metadata);
        byte[] content;
        // A string past the serializer's limit (a display of a gigabyte of HTML) is cut with a note rather than failing the publish.
        try { content = Serialize(Content); }
        catch (ArgumentException) { content = Serialize((JsonObject)OutputLimits.TruncateStrings(Content)!); }
        var frames = new List<byte[]>(Identities.Count + 6 + Buffers.Count);
        frames.AddRange(Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(header, parent, metadata, content)));
        frames.Add(header);
        frames.Add(parent);
        frames.Add(metadata);
        frames.Add(content);
        frames.AddRange(Buffers);
        return frames;
    }

    private static readonly JsonSerializerOptions s_options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Serialize(JsonObject node) => JsonSerializer.SerializeToUtf8Bytes(node, s_options);
}

/// <summary>A message that cannot be trusted or read: dropped and logged, never fatal.</summary>
internal sealed class MalformedMessageException(string message) : Exception(message);
