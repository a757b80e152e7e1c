"""The archnb kernel driven by jupyter_client: execute, displays, stdin, interrupt, restart, and bad input.

Run by Kernel.Tests with JUPYTER_PATH pointing at a temporary kernelspec install.
"""
import time
import unittest
import uuid

import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

TIMEOUT = 30


def run(kc, code, allow_stdin=False, timeout=TIMEOUT, stdin_reply=None):
    """Executes code; returns (reply content, [iopub messages between busy and idle])."""
    msg_id = kc.execute(code, allow_stdin=allow_stdin)
    outputs = []
    reply = None
    deadline = time.time() + timeout
    while True:
        if stdin_reply is not None:
            try:
                req = kc.get_stdin_msg(timeout=0.05)
                if req["msg_type"] == "input_request":
                    kc.input(stdin_reply)
            except Exception:
                pass
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except Exception:
            if time.time() > deadline:
                raise TimeoutError(f"no idle for {code!r}")
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                break
            continue
        if msg["msg_type"] == "execute_input":
            continue
        outputs.append(msg)
    reply = shell_reply(kc, msg_id, timeout)
    return reply["content"], outputs


def shell_reply(kc, msg_id, timeout=10):
    """The shell reply to msg_id. jupyter_client's wait_for_ready sends a kernel_info_request every
    second until one is answered, so on a loaded machine answers to the extra ones are still queued:
    they are skipped, as a front end matching replies by parent would skip them."""
    deadline = time.time() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply
        assert reply["msg_type"] == "kernel_info_reply", f"unexpected {reply['msg_type']} for another request"


def text_of(outputs, msg_type="stream"):
    parts = []
    for m in outputs:
        if m["msg_type"] != msg_type:
            continue
        c = m["content"]
        parts.append(c["text"] if msg_type == "stream" else c["data"].get("text/plain", ""))
    return "".join(parts)


class KernelTestCase(unittest.TestCase):
    """A fresh archnb kernel and client for each test, shut down after it."""

    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name="archnb", startup_timeout=60)

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


class KernelClientTests(KernelTestCase):

    def test_state_streams_displays_and_results(self):
        reply, _ = run(self.kc, "var n = 20;\nint Twice(int x) => 2 * x;")
        self.assertEqual(reply["status"], "ok")
        reply, outputs = run(self.kc, 'Console.Write("a"); Console.WriteLine("b");\nConsole.Error.WriteLine("warn");\nTwice(n) + 2')
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of([m for m in outputs if m["content"].get("name") == "stdout"]), "ab\n")
        self.assertIn("warn", text_of([m for m in outputs if m["content"].get("name") == "stderr"]))
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")
        self.assertEqual(results[0]["content"]["execution_count"], reply["execution_count"])

    def test_display_and_update_display(self):
        reply, outputs = run(self.kc, 'var h = display("step 0");\nfor (int i = 1; i <= 3; i++) h.Update($"step {i}");\nUpdateDisplay(h, HTML("<b>done</b>"));')
        self.assertEqual(reply["status"], "ok")
        kinds = [m["msg_type"] for m in outputs]
        self.assertEqual(kinds, ["display_data"] + ["update_display_data"] * 4)
        ids = {m["content"]["transient"]["display_id"] for m in outputs}
        self.assertEqual(len(ids), 1)
        self.assertEqual(outputs[-1]["content"]["data"]["text/html"], "<b>done</b>")

    def test_errors_carry_cell_line_numbers(self):
        reply, outputs = run(self.kc, "var a = 1;\nvar b = 0;\nvar c = a / b;")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "DivideByZeroException")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])
        self.assertIn("cell[1], line 3", "\n".join(reply["traceback"]))
        reply, _ = run(self.kc, "var ok = 1;\nundefinedThing + 1")
        self.assertEqual(reply["ename"], "CompilationError")
        self.assertIn("(line 2, col 1)", "\n".join(reply["traceback"]))
        reply, _ = run(self.kc, "a + 1")
        self.assertEqual(reply["status"], "ok", "the kernel keeps working after errors")

    def test_interrupt_stops_endless_loop_and_keeps_variables(self):
        run(self.kc, "var before = 41;")
        for code in ["while (true) { }", "for (;;) ;", "void Spin() { Spin2(); } void Spin2() { while (true) {} } Spin();",
                     "Enumerable.Range(0, 10).ToList().ForEach(i => { while (true) { } });"]:
            msg_id = self.kc.execute(code)
            time.sleep(0.8)
            self.km.interrupt_kernel()
            reply = shell_reply(self.kc, msg_id, timeout=10)
            self.assertEqual(reply["content"]["status"], "error", code)
            self.assertEqual(reply["content"]["ename"], "KernelInterrupted", code)
        reply, outputs = run(self.kc, "before + 1")
        self.assertEqual(text_of(outputs, "execute_result"), "42")

    def test_interrupt_reaches_a_trainer_fit_called_from_csharp(self):
        # No token passed: the library reads the cell's interrupt itself, returns its partial result, and the
        # cell still ends as interrupted.
        reply, _ = run(self.kc, "var fitTask = new SetMaxTask(digits: 6, size: 3);\nmanual_seed(0);\n"
                                "var fitModel = new DeepSetsConfig(Hidden: 16).For(fitTask).Build();")
        self.assertEqual(reply["status"], "ok", reply)
        msg_id = self.kc.execute("var fitResult = new Trainer(new TrainConfig { Steps = 10_000_000, EvalEvery = 0, BatchSize = 8 })"
                                 ".Fit(fitModel, fitTask);")
        time.sleep(4)
        self.km.interrupt_kernel()
        reply = shell_reply(self.kc, msg_id, timeout=30)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KernelInterrupted")
        reply, outputs = run(self.kc, "fitResult.Interrupted && fitResult.StepsCompleted < 10_000_000")
        self.assertEqual(text_of(outputs, "execute_result"), "true")

    def test_stdin_through_input_request(self):
        reply, outputs = run(self.kc, 'var line = Console.ReadLine();\nConsole.WriteLine($"got {line}");', allow_stdin=True, stdin_reply="abc")
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("got abc", text_of(outputs))

    def test_restart_gives_a_fresh_session(self):
        run(self.kc, "var kept = 1;")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=60)
        reply, _ = run(self.kc, "kept")
        self.assertEqual(reply["status"], "error")
        reply, outputs = run(self.kc, "1 + 1")
        self.assertEqual(text_of(outputs, "execute_result"), "2")

    def test_environment_exit_gives_a_dead_kernel_that_restarts(self):
        self.kc.execute("Environment.Exit(3);")
        deadline = time.time() + 15
        while self.km.is_alive() and time.time() < deadline:
            time.sleep(0.1)
        self.assertFalse(self.km.is_alive())
        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=60)
        reply, outputs = run(self.kc, "2 + 3")
        self.assertEqual(text_of(outputs, "execute_result"), "5")

    def test_magics(self):
        reply, outputs = run(self.kc, "#!time\nvar zz = 5;")
        self.assertEqual(reply["status"], "ok")
        self.assertIn("Wall time:", text_of(outputs))
        reply, outputs = run(self.kc, "#!who")
        self.assertIn("zz", text_of(outputs))
        reply, outputs = run(self.kc, "#!lsmagic")
        self.assertIn("#!time", text_of(outputs))
        reply, _ = run(self.kc, "#!nosuchmagic")
        self.assertEqual(reply["ename"], "UnknownMagic")

    def test_bad_input_is_dropped_and_the_kernel_keeps_answering(self):
        ctx = zmq.Context.instance()
        shell = ctx.socket(zmq.DEALER)
        shell.connect(f"{self.km.transport}://{self.km.ip}:{self.km.shell_port}")
        wrong = Session(key=b"not-the-key")
        right = Session(key=self.km.session.key)
        good = right.msg("kernel_info_request", {})
        garbage = [
            [b"no delimiter here"],
            [b"<IDS|MSG>", b"sig", b"{}"],
            [b"<IDS|MSG>", b"0" * 64, b"{not json", b"{}", b"{}", b"{}"],
        ]
        for frames in garbage:
            shell.send_multipart(frames)
        wrong.send(shell, "kernel_info_request", {})                 # wrong signature
        right.send(shell, "no_such_request", {})                      # unknown type, validly signed
        unsigned = right.msg("kernel_info_request", {})
        shell.send_multipart([b"<IDS|MSG>", b""] + [right.pack(unsigned[k]) for k in ("header", "parent_header", "metadata", "content")])
        right.send(shell, good)
        right.send(shell, good)                                         # replayed: same signature, dropped
        poller = zmq.Poller()
        poller.register(shell, zmq.POLLIN)
        replies = []
        deadline = time.time() + 10
        while time.time() < deadline:
            if dict(poller.poll(500)).get(shell):
                _, msg = right.feed_identities(shell.recv_multipart())
                replies.append(right.deserialize(msg)["msg_type"])
            elif replies:
                break
        self.assertEqual(replies, ["kernel_info_reply"])
        shell.close(0)
        self.assertTrue(self.km.is_alive())
        reply, outputs = run(self.kc, "1 + 2")
        self.assertEqual(text_of(outputs, "execute_result"), "3")


if __name__ == "__main__":
    unittest.main()
