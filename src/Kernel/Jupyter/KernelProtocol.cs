using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>The socket a request came in on; the handler table says which requests each one answers.</summary>
internal enum Channel { Shell, Control }

/// <summary>
/// The Jupyter protocol without the wire: one handler table for shell and control requests, each request
/// wrapped in busy/idle on IOPub, cell outputs published as IOPub messages. A transport supplies the
/// publish and input delegates and sends the replies (<see cref="JupyterKernel"/> over ZeroMQ, or a test
/// in-process); the <see cref="IInterpreter"/> supplies the language.
/// </summary>
internal sealed class KernelProtocol
{
    private readonly IInterpreter _interpreter;
    private readonly Action<JupyterMessage> _publish;
    private readonly Func<JupyterMessage, CancellationToken, string?>? _requestInput;
    private readonly Action? _shutdown;
    private readonly Dictionary<string, Handler> _handlers;
    private readonly ExecutionHistory _history = new();
    private int _executionCount;
    // Cancelled by an interrupt, so a cell blocked on input_reply stops waiting; a new one per execution.
    private volatile CancellationTokenSource _input = new();
    // Set when a cell failed with stop_on_error: execute requests already queued behind it are answered "aborted"
    // until the transport finds the queue empty (ipykernel's _abort_queues).
    private volatile bool _aborting;
    private DateTimeOffset _failedAt;

    /// <summary>Whether a request was sent before the failed cell's reply went out (the header's date says when it was sent):
    /// a client that saw the error and then sent a new cell did not queue it behind the failure. Undated requests count as queued.</summary>
    private bool SentBeforeTheFailure(JupyterMessage request) =>
        !DateTimeOffset.TryParse((string?)request.Header["date"], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var sent) || sent <= _failedAt;

    /// <param name="publish">Puts a message on IOPub; called from the shell and control threads and from cells' threads.</param>
    /// <param name="requestInput">Sends an input_request (already addressed to the requesting client) on stdin and waits for
    /// the input_reply's value; throws <see cref="OperationCanceledException"/> when the token is cancelled.</param>
    /// <param name="shutdown">Called once shutdown_reply and the last idle status are out.</param>
    public KernelProtocol(IInterpreter interpreter, Action<JupyterMessage> publish,
        Func<JupyterMessage, CancellationToken, string?>? requestInput = null, Action? shutdown = null)
    {
        _interpreter = interpreter;
        _publish = publish;
        _requestInput = requestInput;
        _shutdown = shutdown;
        _handlers = new(StringComparer.Ordinal)
        {
            ["kernel_info_request"] = new(_ => KernelInfo.Reply(interpreter.Info), Control: true),
            ["execute_request"] = new(Execute),
            ["complete_request"] = new(Complete),
            ["inspect_request"] = new(Inspect),
            ["is_complete_request"] = new(IsComplete),
            ["history_request"] = new(request => _history.Reply(request.Content)),
            ["comm_info_request"] = new(_ => new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() }),
            ["comm_open"] = new(CloseUnknownComm),
            ["comm_msg"] = new(_ => null),
            ["comm_close"] = new(_ => null),
            ["interrupt_request"] = new(Interrupt, Control: true),
            ["shutdown_request"] = new(Shutdown, Control: true, After: FinishShutdown),
        };
    }

    /// <summary>Whether execute requests are being aborted after a failed cell; the transport then calls <see cref="QueueDrained"/> once no request waits.</summary>
    public bool Aborting => _aborting;

    /// <summary>The transport found no request waiting: requests from now on run again (the abort covered those queued behind the failure).</summary>
    public void QueueDrained() => _aborting = false;

    /// <summary>This process's session id: new on every start, so clients can tell a restart.</summary>
    public string Session { get; } = Guid.NewGuid().ToString();

    /// <param name="Answer">The reply's content, or null when the message gets no reply (comm messages).</param>
    /// <param name="After">Runs once the reply and the idle status are out.</param>
    private sealed record Handler(Func<JupyterMessage, JsonObject?> Answer, bool Shell = true, bool Control = false, Action<JupyterMessage>? After = null);

    /// <summary>Answers one request from <paramref name="channel"/>; replies go to <paramref name="reply"/>, everything else to IOPub.</summary>
    public void Handle(JupyterMessage request, Channel channel, Action<JupyterMessage> reply)
    {
        Action<JupyterMessage>? after = null;
        PublishStatus("busy", request);
        try
        {
            if (!_handlers.TryGetValue(request.MsgType, out var handler) || !(channel == Channel.Shell ? handler.Shell : handler.Control))
            {
                KernelLog.Write($"{channel.ToString().ToLowerInvariant()}: ignored a message of unknown type '{request.MsgType}'");
                return;
            }
            if (_aborting && channel == Channel.Shell && request.MsgType == "execute_request" && SentBeforeTheFailure(request))
            {
                // As ipykernel: only execute requests are aborted; the reply is {"status": "aborted"} and nothing runs.
                reply(Create("execute_reply", new JsonObject { ["status"] = "aborted" }, request, request.Identities));
                return;
            }
            if (handler.Answer(request) is { } content) reply(Create(ReplyType(request.MsgType), content, request, request.Identities));
            after = handler.After;
        }
        catch (Exception e)
        {
            // A handler bug must not take the kernel down; the client gets an error reply where one is expected.
            KernelLog.Write($"{request.MsgType} failed: {e}");
            if (request.MsgType.EndsWith("_request", StringComparison.Ordinal))
                reply(Create(ReplyType(request.MsgType), new JsonObject
                {
                    ["status"] = "error", ["ename"] = e.GetType().Name, ["evalue"] = e.Message, ["traceback"] = new JsonArray(),
                }, request, request.Identities));
        }
        finally
        {
            PublishStatus("idle", request);
        }
        after?.Invoke(request);
    }

    private static string ReplyType(string requestType) => requestType.Replace("_request", "_reply");

    /// <summary>A message of <paramref name="msgType"/> answering or caused by <paramref name="parent"/>.</summary>
    public JupyterMessage Create(string msgType, JsonObject content, JupyterMessage? parent, IReadOnlyList<byte[]>? identities = null) => new()
    {
        Identities = identities ?? [],
        Header = JupyterMessage.NewHeader(msgType, Session),
        ParentHeader = parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(),
        Content = content,
    };

    public void Publish(string msgType, JsonObject content, JupyterMessage? parent) =>
        _publish(Create(msgType, content, parent, [System.Text.Encoding.UTF8.GetBytes($"kernel.{Session}.{msgType}")]));

    public void PublishStatus(string state, JupyterMessage? parent) => Publish("status", new JsonObject { ["execution_state"] = state }, parent);

    /// <summary>input_request to the client that sent <paramref name="parent"/>; null when this transport has no stdin.</summary>
    public string? RequestInput(JupyterMessage parent, string prompt, bool password, CancellationToken cancellation) =>
        _requestInput?.Invoke(Create("input_request", new JsonObject { ["prompt"] = prompt, ["password"] = password }, parent, parent.Identities), cancellation);

    private JsonObject Execute(JupyterMessage request)
    {
        var content = request.Content;
        var code = (string?)content["code"] ?? "";
        bool silent = content["silent"]?.GetValue<bool>() ?? false;
        bool storeHistory = !silent && (content["store_history"]?.GetValue<bool>() ?? true);
        bool allowStdin = content["allow_stdin"]?.GetValue<bool>() ?? false;
        bool stopOnError = content["stop_on_error"]?.GetValue<bool>() ?? true;
        if (storeHistory) _executionCount++;
        int count = _executionCount;
        if (!silent) Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);

        if (NotebookLocation.FromRequest(request) is { } notebookDirectory) _interpreter.UseNotebookDirectory(notebookDirectory);
        _input = new CancellationTokenSource();
        var output = new IopubCellOutput(this, request, count, allowStdin, _input.Token);
        var error = _interpreter.ExecuteAsync(code, silent ? NullCellOutput.Instance : output, $"cell[{count}]").GetAwaiter().GetResult();
        output.Finish();
        if (storeHistory) _history.Add(count, code, output.ResultText);
        if (error is null)
        {
            var expressions = UserExpressions.Evaluate(_interpreter, content["user_expressions"] as JsonObject);
            return new JsonObject { ["status"] = "ok", ["execution_count"] = count, ["payload"] = new JsonArray(), ["user_expressions"] = expressions };
        }
        if (!silent && stopOnError) { _failedAt = DateTimeOffset.UtcNow; _aborting = true; }
        var reply = IopubCellOutput.ErrorContent(error);
        reply["status"] = "error";
        reply["execution_count"] = count;
        return reply;
    }

    private JsonObject Complete(JupyterMessage request)
    {
        var (code, cursor) = CodeAndCursor(request.Content);
        var result = _interpreter.Complete(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = CodePoints.FromUtf16(code, result.CursorStart),
            ["cursor_end"] = CodePoints.FromUtf16(code, result.CursorEnd),
            ["metadata"] = new JsonObject(),
        };
    }

    private JsonObject Inspect(JupyterMessage request)
    {
        var (code, cursor) = CodeAndCursor(request.Content);
        var text = _interpreter.Inspect(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text },
            ["metadata"] = new JsonObject(),
        };
    }

    /// <summary>The code and the cursor as a UTF-16 index (Jupyter counts code points; no cursor means the end).</summary>
    private static (string Code, int Cursor) CodeAndCursor(JsonObject content)
    {
        var code = (string?)content["code"] ?? "";
        var cursorPos = content["cursor_pos"]?.GetValue<int>();
        return (code, CodePoints.ToUtf16(code, cursorPos ?? CodePoints.FromUtf16(code, code.Length)));
    }

    private JsonObject IsComplete(JupyterMessage request)
    {
        var answer = _interpreter.IsComplete((string?)request.Content["code"] ?? "");
        var reply = new JsonObject { ["status"] = answer.Status };
        if (answer.Indent is not null) reply["indent"] = answer.Indent;
        return reply;
    }

    private JsonObject? CloseUnknownComm(JupyterMessage request)
    {
        // No comm targets yet: close at once, as the spec asks for an unknown target_name.
        Publish("comm_close", new JsonObject { ["comm_id"] = request.Content["comm_id"]?.DeepClone(), ["data"] = new JsonObject() }, request);
        return null;
    }

    private JsonObject Interrupt(JupyterMessage request)
    {
        _interpreter.Interrupt();
        _input.Cancel();
        return new JsonObject { ["status"] = "ok" };
    }

    private static bool Restart(JupyterMessage request) => request.Content["restart"]?.GetValue<bool>() ?? false;

    private static JsonObject Shutdown(JupyterMessage request) => new() { ["status"] = "ok", ["restart"] = Restart(request) };

    private void FinishShutdown(JupyterMessage request)
    {
        _interpreter.Interrupt();
        _input.Cancel();
        KernelLog.Write(Restart(request) ? "restart requested: exiting so the client starts a fresh kernel" : "shutdown requested");
        _shutdown?.Invoke();
    }
}
