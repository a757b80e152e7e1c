using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>The JSON file a Jupyter client writes before launching a kernel: transport, ports and signing key.</summary>
internal sealed record ConnectionFile
{
    [JsonPropertyName("transport")] public string Transport { get; init; } = "tcp";
    [JsonPropertyName("ip")] public string Ip { get; init; } = "127.0.0.1";
    [JsonPropertyName("shell_port")] public int ShellPort { get; init; }
    [JsonPropertyName("iopub_port")] public int IopubPort { get; init; }
    [JsonPropertyName("stdin_port")] public int StdinPort { get; init; }
    [JsonPropertyName("control_port")] public int ControlPort { get; init; }
    [JsonPropertyName("hb_port")] public int HeartbeatPort { get; init; }
    [JsonPropertyName("signature_scheme")] public string SignatureScheme { get; init; } = "hmac-sha256";
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    [JsonPropertyName("kernel_name")] public string? KernelName { get; init; }

    public static ConnectionFile Read(string path)
    {
        var file = JsonSerializer.Deserialize<ConnectionFile>(File.ReadAllText(path))
                   ?? throw new InvalidDataException($"{path}: empty connection file");
        if (file.SignatureScheme is not ("hmac-sha256" or "") && !string.IsNullOrEmpty(file.Key))
            throw new InvalidDataException($"{path}: signature scheme '{file.SignatureScheme}' is not supported (only hmac-sha256)");
        if (file.Transport is not ("tcp" or "ipc"))
            throw new InvalidDataException($"{path}: transport '{file.Transport}' is not supported");
        return file;
    }

    /// <summary>tcp://ip:port (an IPv6 address in brackets), or ipc://ip-port as jupyter_client spells IPC endpoints; port 0 binds any free port.</summary>
    public string Endpoint(int port) => Transport == "ipc"
        ? $"ipc://{Ip}-{port}"
        : $"tcp://{(IsIpv6 && !Ip.StartsWith('[') ? $"[{Ip}]" : Ip)}:{(port == 0 ? "*" : port.ToString())}";

    /// <summary>Whether the address is IPv6 (ZeroMQ sockets bind one only with ZMQ_IPV6 set).</summary>
    public bool IsIpv6 => Transport == "tcp" && Ip.Contains(':');
}
