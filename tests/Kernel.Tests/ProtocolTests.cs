using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Jupyter;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>The Jupyter protocol layer in-process: the real C# interpreter behind it, IOPub and stdin as delegates, no sockets.</summary>
[Collection("session")]
public sealed class ProtocolTests(SessionFixture fixture)
{
    /// <summary>A front end without a wire: what the kernel published, what it replied, what it asked on stdin.</summary>
    private sealed class Frontend
    {
        private readonly List<JupyterMessage> _iopub = new();
        public List<JupyterMessage> Replies { get; } = new();
        public List<JupyterMessage> InputRequests { get; } = new();
        public Queue<string> Answers { get; } = new();
        public int Shutdowns { get; private set; }
        public int IopubCountAtShutdown { get; private set; } = -1;
        public KernelProtocol Protocol { get; }

        public Frontend(ScriptSession session) =>
            Protocol = new KernelProtocol(new CSharpInterpreter(session), Publish, RequestInput, () => { Shutdowns++; IopubCountAtShutdown = Iopub.Count; });

        public List<JupyterMessage> Iopub { get { lock (_iopub) return _iopub.ToList(); } }

        private void Publish(JupyterMessage message) { lock (_iopub) _iopub.Add(message); }

        private string? RequestInput(JupyterMessage request, CancellationToken cancellation)
        {
            lock (InputRequests) InputRequests.Add(request);
            if (Answers.TryDequeue(out var answer)) return answer;
            cancellation.WaitHandle.WaitOne();
            cancellation.ThrowIfCancellationRequested();
            return null;
        }

        public JupyterMessage Send(string msgType, JsonObject content, Channel channel = Channel.Shell)
        {
            var request = new JupyterMessage
            {
                Identities = [Encoding.ASCII.GetBytes("client-7")],
                Header = JupyterMessage.NewHeader(msgType, "frontend-session"),
                Content = content,
            };
            Protocol.Handle(request, channel, reply => { lock (Replies) Replies.Add(reply); });
            return request;
        }

        public List<JupyterMessage> CausedBy(JupyterMessage request) => Iopub.Where(m => (string?)m.ParentHeader["msg_id"] == request.MsgId).ToList();

        public JupyterMessage ReplyTo(JupyterMessage request) { lock (Replies) return Replies.Single(r => (string?)r.ParentHeader["msg_id"] == request.MsgId); }
    }

    private static string State(JupyterMessage status) => (string)status.Content["execution_state"]!;

    [Fact]
    public void Execute_request_publishes_busy_input_result_idle_under_the_request_and_replies_ok()
    {
        var frontend = new Frontend(fixture.Session);
        var request = frontend.Send("execute_request", new JsonObject { ["code"] = "20 + 22", ["silent"] = false });

        var published = frontend.CausedBy(request);
        Assert.Equal(["status", "execute_input", "execute_result", "status"], published.Select(m => m.MsgType));
        Assert.Equal(frontend.Iopub.Count, published.Count);
        Assert.Equal("busy", State(published[0]));
        Assert.Equal("idle", State(published[3]));
        Assert.Equal("20 + 22", (string?)published[1].Content["code"]);
        Assert.Equal("42", (string?)published[2].Content["data"]!["text/plain"]);
        int count = (int)published[1].Content["execution_count"]!;
        Assert.Equal(count, (int)published[2].Content["execution_count"]!);
        Assert.All(published, m => Assert.Equal($"kernel.{frontend.Protocol.Session}.{m.MsgType}", Encoding.UTF8.GetString(m.Identities.Single())));
        Assert.All(published, m => Assert.Equal(frontend.Protocol.Session, (string?)m.Header["session"]));

        var reply = frontend.ReplyTo(request);
        Assert.Equal("execute_reply", reply.MsgType);
        Assert.Equal("ok", (string?)reply.Content["status"]);
        Assert.Equal(count, (int)reply.Content["execution_count"]!);
        Assert.Equal("client-7", Encoding.ASCII.GetString(reply.Identities.Single()));
        Assert.Equal(request.Header.ToJsonString(), reply.ParentHeader.ToJsonString());

        var second = frontend.Send("execute_request", new JsonObject { ["code"] = "var quiet = 1;" });
        Assert.Equal(count + 1, (int)frontend.ReplyTo(second).Content["execution_count"]!);
        Assert.DoesNotContain(frontend.CausedBy(second), m => m.MsgType == "execute_result");
    }

    [Fact]
    public void Errors_are_published_and_replied_with_the_cells_traceback()
    {
        var frontend = new Frontend(fixture.Session);
        var request = frontend.Send("execute_request", new JsonObject { ["code"] = "var ok = 1;\nok + notDefinedHere" });
        var error = frontend.CausedBy(request).Single(m => m.MsgType == "error");
        Assert.Equal("CompilationError", (string?)error.Content["ename"]);
        var reply = frontend.ReplyTo(request);
        Assert.Equal("error", (string?)reply.Content["status"]);
        Assert.Equal("CompilationError", (string?)reply.Content["ename"]);
        Assert.Contains("(line 2, col 6): error CS0103", string.Join("\n", reply.Content["traceback"]!.AsArray().Select(l => (string?)l)));
    }

    [Theory]
    [InlineData("if (true) {", "incomplete")]
    [InlineData("1 + 1", "complete")]
    [InlineData("int x = 1 2;", "invalid")]
    public void Is_complete_is_answered_by_the_interpreter(string code, string status)
    {
        var frontend = new Frontend(fixture.Session);
        var request = frontend.Send("is_complete_request", new JsonObject { ["code"] = code });
        var reply = frontend.ReplyTo(request);
        Assert.Equal("is_complete_reply", reply.MsgType);
        Assert.Equal(status, (string?)reply.Content["status"]);
        Assert.Equal(status == "incomplete", reply.Content["indent"] is not null);
        Assert.Equal(["busy", "idle"], frontend.CausedBy(request).Select(State));
    }

    [Fact]
    public void Complete_and_inspect_count_cursor_positions_in_code_points()
    {
        var frontend = new Frontend(fixture.Session);
        var code = "\"😀\"; Math.Ab";
        var reply = frontend.ReplyTo(frontend.Send("complete_request", new JsonObject { ["code"] = code, ["cursor_pos"] = code.Length - 1 }));
        Assert.Contains("Abs", reply.Content["matches"]!.AsArray().Select(m => (string?)m));
        Assert.Equal(code.Length - 1, (int)reply.Content["cursor_end"]!);
        Assert.Equal(code.Length - 3, (int)reply.Content["cursor_start"]!);
        var inspect = frontend.ReplyTo(frontend.Send("inspect_request", new JsonObject { ["code"] = "Math.Sqrt", ["cursor_pos"] = 9 }));
        Assert.True((bool)inspect.Content["found"]!);
        Assert.Contains("Math.Sqrt(double)", (string?)inspect.Content["data"]!["text/plain"]);
    }

    [Fact]
    public void Control_answers_kernel_info_but_not_execute()
    {
        var frontend = new Frontend(fixture.Session);
        var info = frontend.ReplyTo(frontend.Send("kernel_info_request", new JsonObject(), Channel.Control));
        Assert.Equal("kernel_info_reply", info.MsgType);
        Assert.Equal("csharp", (string?)info.Content["language_info"]!["name"]);
        Assert.Equal(JupyterMessage.ProtocolVersion, (string?)info.Content["protocol_version"]);

        var execute = frontend.Send("execute_request", new JsonObject { ["code"] = "var onControl = 1;" }, Channel.Control);
        lock (frontend.Replies) Assert.DoesNotContain(frontend.Replies, r => (string?)r.ParentHeader["msg_id"] == execute.MsgId);
        Assert.Equal(["status", "status"], frontend.CausedBy(execute).Select(m => m.MsgType));
    }

    [Fact]
    public async Task Stdin_goes_to_the_requesting_client_and_an_interrupt_ends_the_wait()
    {
        var frontend = new Frontend(fixture.Session);
        frontend.Answers.Enqueue("typed");
        var asked = frontend.Send("execute_request", new JsonObject { ["code"] = "Console.ReadLine() + \"!\"", ["allow_stdin"] = true });
        Assert.Equal("typed!", (string?)frontend.CausedBy(asked).Single(m => m.MsgType == "execute_result").Content["data"]!["text/plain"]);
        var input = frontend.InputRequests.Single();
        Assert.Equal("input_request", input.MsgType);
        Assert.Equal(asked.MsgId, (string?)input.ParentHeader["msg_id"]);
        Assert.Equal("client-7", Encoding.ASCII.GetString(input.Identities.Single()));

        // Nobody answers the second request: the interrupt (on control, from another thread) must end the cell.
        JupyterMessage? waiting = null;
        var run = Task.Run(() => waiting = frontend.Send("execute_request", new JsonObject { ["code"] = "Console.ReadLine()", ["allow_stdin"] = true }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (frontend.InputRequests.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
        var interrupt = frontend.Send("interrupt_request", new JsonObject(), Channel.Control);
        Assert.Equal("ok", (string?)frontend.ReplyTo(interrupt).Content["status"]);
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))) == run, "the cell kept waiting for input after the interrupt");
        Assert.Equal("KernelInterrupted", (string?)frontend.ReplyTo(waiting!).Content["ename"]);
    }

    [Fact]
    public void Shutdown_replies_goes_idle_and_only_then_stops()
    {
        var frontend = new Frontend(fixture.Session);
        var request = frontend.Send("shutdown_request", new JsonObject { ["restart"] = true }, Channel.Control);
        var reply = frontend.ReplyTo(request);
        Assert.Equal("shutdown_reply", reply.MsgType);
        Assert.True((bool)reply.Content["restart"]!);
        Assert.Equal(1, frontend.Shutdowns);
        Assert.Equal(frontend.Iopub.Count, frontend.IopubCountAtShutdown);
        Assert.Equal("idle", State(frontend.Iopub[^1]));
    }
}
