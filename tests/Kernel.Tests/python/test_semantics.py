"""Jupyter semantics as ipykernel implements them, checked with jupyter_client against the archnb kernel:
stop_on_error aborts the queue, user_expressions, clear_output, is_complete for unterminated literals,
exit when the client dies, and interrupts of blocking waits, awaits and native calls.

Run by Kernel.Tests with JUPYTER_PATH pointing at a temporary kernelspec install.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from jupyter_client.manager import start_new_kernel

from test_client import KernelTestCase, TIMEOUT, run, shell_reply, text_of


def collect(kc, msg_id, timeout=TIMEOUT, until=None):
    """IOPub messages of msg_id up to its idle status (busy, execute_input and idle left out), then its shell reply.
    With until, stops early (returning None for the reply) at the first stream output containing that text."""
    outputs = []
    deadline = time.time() + timeout
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except Exception:
            raise TimeoutError(f"no idle for {msg_id}")
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                break
            continue
        if msg["msg_type"] != "execute_input":
            outputs.append(msg)
            if until is not None and msg["msg_type"] == "stream" and until in msg["content"]["text"]:
                return None, outputs
    return shell_reply(kc, msg_id, timeout)["content"], outputs


def process_gone(pid):
    """True once pid has exited: no such process, or a zombie nobody has reaped yet (containers' pid 1 may never reap)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


class SemanticsTests(KernelTestCase):
    def test_stop_on_error_aborts_the_queued_cells(self):
        run(self.kc, "var ranSecond = false;")
        # The failing cell sleeps first so that the two after it are surely queued when it fails.
        failing = self.kc.execute('Thread.Sleep(500); throw new InvalidOperationException("first");')
        second = self.kc.execute("ranSecond = true;")
        third = self.kc.execute('Console.WriteLine("third ran");')
        reply, _ = collect(self.kc, failing)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "InvalidOperationException")
        for queued in (second, third):
            reply, outputs = collect(self.kc, queued)
            self.assertEqual(reply["status"], "aborted", reply)
            self.assertEqual(outputs, [], "an aborted cell publishes nothing but busy and idle")
        # The queue has drained: the next cell runs, and the aborted ones did not.
        reply, outputs = run(self.kc, "ranSecond")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of(outputs, "execute_result"), "false")

    def test_stop_on_error_false_runs_the_queued_cells(self):
        failing = self.kc.execute('Thread.Sleep(300); throw new InvalidOperationException("first");', stop_on_error=False)
        after = self.kc.execute("40 + 2")
        reply, _ = collect(self.kc, failing)
        self.assertEqual(reply["status"], "error")
        reply, outputs = collect(self.kc, after)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of(outputs, "execute_result"), "42")

    def test_user_expressions_are_evaluated_after_a_successful_cell(self):
        expressions = {"product": "w * 7", "shout": '"hi".ToUpperInvariant()', "broken": "noSuchName + 1", "throws": "1 / (w - 6)"}
        msg_id = self.kc.execute("var w = 6;", user_expressions=expressions)
        reply, outputs = collect(self.kc, msg_id)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(outputs, [], "user expressions publish nothing")
        results = reply["user_expressions"]
        self.assertEqual(set(results), set(expressions))
        self.assertEqual(results["product"]["status"], "ok")
        self.assertEqual(results["product"]["data"]["text/plain"], "42")
        self.assertIn("HI", results["shout"]["data"]["text/plain"])
        self.assertEqual(results["broken"]["status"], "error")
        self.assertEqual(results["broken"]["ename"], "CompilationError")
        self.assertIn("noSuchName", "\n".join(results["broken"]["traceback"]))
        self.assertEqual(results["throws"]["status"], "error")
        self.assertEqual(results["throws"]["ename"], "DivideByZeroException")
        # Evaluating them declared nothing and the session goes on from the cell.
        reply, outputs = run(self.kc, "w + 1")
        self.assertEqual(text_of(outputs, "execute_result"), "7")
        # After a failing cell they are not evaluated (as ipykernel).
        msg_id = self.kc.execute("throw new Exception();", user_expressions={"product": "w * 7"}, stop_on_error=False)
        reply, _ = collect(self.kc, msg_id)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply.get("user_expressions", {}), {})

    def test_clear_output_is_published_in_order(self):
        reply, outputs = run(self.kc, textwrap.dedent("""\
            Console.WriteLine("first");
            ClearOutput(wait: true);
            Console.WriteLine("second");
            Notebook.ClearOutput();
            display("third")"""))
        self.assertEqual(reply["status"], "ok")
        shape = [(m["msg_type"], m["content"].get("wait", m["content"].get("text"))) for m in outputs]
        self.assertEqual(shape[:4], [("stream", "first\n"), ("clear_output", True), ("stream", "second\n"), ("clear_output", False)])
        # display(x) as the last expression shows x once; its handle is no "Out:" result.
        self.assertEqual([m["msg_type"] for m in outputs[4:]], ["display_data"])

    def is_complete(self, code):
        msg_id = self.kc.is_complete(code)
        return shell_reply(self.kc, msg_id)["content"]["status"]

    def test_is_complete_says_invalid_for_unterminated_literals(self):
        for code in ['var s = "abc', "var c = 'ab", 'Console.WriteLine($"x = {1}', "var c = '';"]:
            self.assertEqual(self.is_complete(code), "invalid", code)
        # Literals that may go on over lines are still incomplete, as is an open block.
        for code in ['var s = @"first line', 'var s = """\nraw', "if (true) {"]:
            self.assertEqual(self.is_complete(code), "incomplete", code)
        self.assertEqual(self.is_complete('var s = "abc";'), "complete")

    def test_interrupt_wakes_blocking_waits_and_abandons_awaits(self):
        run(self.kc, "var kept = 41;")
        cells = [
            "Thread.Sleep(60_000);",
            "new ManualResetEventSlim(false).Wait();",
            "var gate = new object(); var holder = new Thread(() => { lock (gate) Thread.Sleep(60_000); }); holder.IsBackground = true; holder.Start(); Thread.Sleep(100); lock (gate) { }",
            "Task.Delay(60_000).Wait();",
            "await Task.Delay(60_000);",
            "await Task.Yield(); Thread.Sleep(60_000);",
        ]
        for code in cells:
            # The cell says when it is about to block, so the interrupt surely lands in the wait, not during compilation.
            msg_id = self.kc.execute('Console.WriteLine("blocking"); Console.Out.Flush();\n' + code)
            collect(self.kc, msg_id, until="blocking")
            time.sleep(0.5)
            self.km.interrupt_kernel()
            started = time.time()
            # Generous bounds: on a loaded machine the abandoned await's continuations wait for thread-pool threads
            # (the last cell blocks one), which .NET adds only gradually; the cells themselves would block for 60 s.
            reply, _ = collect(self.kc, msg_id, timeout=40)
            self.assertEqual(reply["status"], "error", code)
            self.assertEqual(reply["ename"], "KernelInterrupted", code)
            self.assertLess(time.time() - started, 30, code)
        reply, outputs = run(self.kc, "Thread.Sleep(50); kept + 1")
        self.assertEqual(reply["status"], "ok", "no interrupt is left pending for the next cell")
        self.assertEqual(text_of(outputs, "execute_result"), "42")

    def test_interrupt_during_a_native_call_says_so_and_stops_after_it(self):
        run(self.kc, 'static class Native { [System.Runtime.InteropServices.DllImport("libc")] public static extern uint sleep(uint seconds); }')
        for code in ['Native.sleep(4);\nConsole.WriteLine("after the native call");', "Native.sleep(4)"]:
            msg_id = self.kc.execute('Console.WriteLine("calling"); Console.Out.Flush();\n' + code)
            collect(self.kc, msg_id, until="calling")
            time.sleep(0.3)
            self.km.interrupt_kernel()
            reply, outputs = collect(self.kc, msg_id, timeout=20)
            self.assertEqual(reply["status"], "error", code)
            self.assertEqual(reply["ename"], "KernelInterrupted", code)
            stderr = text_of([m for m in outputs if m["content"].get("name") == "stderr"])
            self.assertIn("cannot be interrupted", stderr)
            self.assertNotIn("after the native call", text_of(outputs))
        reply, outputs = run(self.kc, "1 + 1")
        self.assertEqual(text_of(outputs, "execute_result"), "2")


class ArchLineTests(unittest.TestCase):
    """complete_request and inspect_request on #!arch lines, as a front end sends them."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="archnb", startup_timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def complete(self, code):
        return shell_reply(self.kc, self.kc.complete(code, len(code)))["content"]

    def test_completion_of_arch_lines(self):
        run(self.kc, "var learningSteps = 20;")
        for code, expected, start in [
            ("#!ar", "arch", 2),
            ("#!arch sc", "scale", 7),
            ("#!arch model set", "settransformer", 13),
            ("#!arch model gpt --task mod", "modadd", 24),
            ("#!arch train m --l", "--lr", 15),
            ("#!arch train m --steps @csharp:learn", "@csharp:learningSteps", 23),
            ("#!arch summary lear", "learningSteps", 15),
        ]:
            reply = self.complete(code)
            self.assertEqual(reply["status"], "ok")
            self.assertIn(expected, reply["matches"], code)
            self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (start, len(code)), code)
        # "#!ar" offered C# symbols before; now only magic names.
        self.assertEqual(self.complete("#!ar")["matches"], ["arch"])

    def test_inspect_shows_a_subcommands_help(self):
        code = "#!arch ablate m --remove ffn"
        reply = shell_reply(self.kc, self.kc.inspect(code, 9))["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertTrue(reply["found"])
        text = reply["data"]["text/plain"]
        self.assertTrue(text.startswith("#!arch ablate:"), text)
        self.assertIn("--remove", text)


class ParentDeathTests(unittest.TestCase):
    def test_kernel_exits_when_its_client_process_is_killed(self):
        # A real client process starts the kernel (jupyter_client sets JPY_PARENT_PID to its pid), then is killed
        # without a shutdown_request, as when a notebook server or an editor crashes.
        client = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""\
            import sys, time
            from jupyter_client.manager import start_new_kernel
            km, kc = start_new_kernel(kernel_name="archnb", startup_timeout=60)
            print(km.provisioner.process.pid, flush=True)
            time.sleep(600)
            """)], stdout=subprocess.PIPE, text=True)
        try:
            kernel_pid = int(client.stdout.readline())
            self.assertFalse(process_gone(kernel_pid))
            time.sleep(1.5)
            self.assertFalse(process_gone(kernel_pid), "the kernel runs while its client lives")
            client.send_signal(signal.SIGKILL)
            client.wait(10)
            deadline = time.time() + 15
            while not process_gone(kernel_pid) and time.time() < deadline:
                time.sleep(0.2)
            self.assertTrue(process_gone(kernel_pid), "the kernel outlived its client")
        finally:
            if client.poll() is None:
                client.kill()
            if "kernel_pid" in locals() and not process_gone(kernel_pid):
                os.kill(kernel_pid, signal.SIGKILL)


if __name__ == "__main__":
    unittest.main()
