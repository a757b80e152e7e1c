using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Jupyter;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Tests;

public sealed class WireFormatTests
{
    private static JupyterMessage Sample() => new()
    {
        Identities = [Encoding.ASCII.GetBytes("client-1")],
        Header = JupyterMessage.NewHeader("execute_request", "s"),
        Content = new JsonObject { ["code"] = "1 + 1", ["note"] = "é ✓ 😀" },
    };

    [Fact]
    public void Messages_round_trip_through_signed_frames()
    {
        var signer = new MessageSigner("secret");
        var frames = Sample().ToFrames(signer);
        Assert.Equal("<IDS|MSG>", Encoding.ASCII.GetString(frames[1]));
        Assert.Equal(64, frames[2].Length);
        var parsed = JupyterMessage.Parse(frames, new MessageSigner("secret"));
        Assert.Equal("execute_request", parsed.MsgType);
        Assert.Equal("é ✓ 😀", (string?)parsed.Content["note"]);
        Assert.Equal("client-1", Encoding.ASCII.GetString(parsed.Identities.Single()));
    }

    [Fact]
    public void Signature_matches_an_independent_hmac_sha256()
    {
        var signer = new MessageSigner("key");
        var frames = Sample().ToFrames(signer);
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("key"));
        var expected = Convert.ToHexStringLower(hmac.ComputeHash(frames.Skip(3).Take(4).SelectMany(f => f).ToArray()));
        Assert.Equal(expected, Encoding.ASCII.GetString(frames[2]));
    }

    [Fact]
    public void Wrong_missing_and_replayed_signatures_are_refused()
    {
        var frames = Sample().ToFrames(new MessageSigner("secret"));
        Assert.Throws<MalformedMessageException>(() => JupyterMessage.Parse(frames, new MessageSigner("other")));
        var unsigned = new List<byte[]>(frames) { [2] = [] };
        Assert.Throws<MalformedMessageException>(() => JupyterMessage.Parse(unsigned, new MessageSigner("secret")));
        var tampered = new List<byte[]>(frames) { [6] = Encoding.UTF8.GetBytes("{\"code\":\"evil\"}") };
        Assert.Throws<MalformedMessageException>(() => JupyterMessage.Parse(tampered, new MessageSigner("secret")));
        var receiver = new MessageSigner("secret");
        JupyterMessage.Parse(frames, receiver);
        var replay = Assert.Throws<MalformedMessageException>(() => JupyterMessage.Parse(frames, receiver));
        Assert.Contains("duplicate", replay.Message);
    }

    [Fact]
    public void An_empty_key_disables_signing()
    {
        var frames = Sample().ToFrames(new MessageSigner(""));
        Assert.Empty(frames[2]);
        Assert.Equal("execute_request", JupyterMessage.Parse(frames, new MessageSigner("")).MsgType);
    }

    [Theory]
    [InlineData("no delimiter")]
    [InlineData("too few frames")]
    [InlineData("bad json")]
    [InlineData("content not an object")]
    [InlineData("no msg_type")]
    public void Malformed_frames_are_refused_with_a_reason(string damage)
    {
        var signer = new MessageSigner("");
        var frames = Sample().ToFrames(signer);
        switch (damage)
        {
            case "no delimiter": frames.RemoveAt(1); break;
            case "too few frames": frames.RemoveRange(4, 3); break;
            case "bad json": frames[3] = Encoding.UTF8.GetBytes("{nope"); break;
            case "content not an object": frames[6] = Encoding.UTF8.GetBytes("[1,2]"); break;
            case "no msg_type": frames[3] = Encoding.UTF8.GetBytes("{\"msg_id\":\"x\"}"); break;
        }
        Assert.Throws<MalformedMessageException>(() => JupyterMessage.Parse(frames, signer));
    }

    [Fact]
    public void Connection_files_give_endpoints()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{"transport":"tcp","ip":"127.0.0.1","shell_port":5001,"iopub_port":5002,"stdin_port":5003,"control_port":5004,"hb_port":5005,"signature_scheme":"hmac-sha256","key":"k","kernel_name":"archnb"}""");
        var file = ConnectionFile.Read(path);
        Assert.Equal("tcp://127.0.0.1:5001", file.Endpoint(file.ShellPort));
        Assert.Equal("ipc://kernel-7", (file with { Transport = "ipc", Ip = "kernel" }).Endpoint(7));
        File.WriteAllText(path, """{"transport":"tcp","ip":"127.0.0.1","signature_scheme":"hmac-md5","key":"k"}""");
        Assert.Throws<InvalidDataException>(() => ConnectionFile.Read(path));
        File.Delete(path);
    }

    [Fact]
    public void Kernel_info_has_the_fields_clients_require()
    {
        var info = KernelInfo.Reply(CSharpInterpreter.Description);
        foreach (var key in new[] { "status", "protocol_version", "implementation", "language_info", "banner" }) Assert.NotNull(info[key]);
        Assert.IsType<string>((string?)info["banner"]);
        Assert.Equal(".cs", (string?)info["language_info"]!["file_extension"]);
    }
}
