"""The archnb kernel under hostile and careless input (issue 20): hand-built signed frames, wrong JSON types,
replayed signatures, runaway history patterns, output bursts read by a client with jupyter_client's default
settings, huge writes, deep code, exceptions on user threads; a bounded fuzz and a bounded stress run.

Run by Kernel.Tests (HardeningTests) with JUPYTER_PATH pointing at a temporary kernelspec install. Each test
starts its own kernel with its stderr in a file, so the kernel's log lines can be checked.
"""
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from queue import Empty

import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from test_client import run, shell_reply, text_of

TIMEOUT = 60


def report(line):
    """A measured figure, printed so the C# side shows it in the test log."""
    print(f"[measured] {line}", file=sys.stderr, flush=True)


class KernelUnderTest:
    """A kernel started by jupyter_client with default client settings; its stderr goes to a file."""

    def __init__(self, key=None):
        self.km = KernelManager(kernel_name="archnb")
        if key is not None:
            self.km.session = Session(key=key)
        self.log_path = tempfile.mktemp(prefix="archnb-kernel-", suffix=".log")
        self.log_file = open(self.log_path, "w")
        self.km.start_kernel(stderr=self.log_file)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def log(self):
        self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()

    def pid(self):
        return self.km.provisioner.process.pid

    def rss_kib(self):
        with open(f"/proc/{self.pid()}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def wait_for_death(self, seconds):
        deadline = time.time() + seconds
        while self.km.is_alive() and time.time() < deadline:
            time.sleep(0.1)
        return not self.km.is_alive()

    def close(self):
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=True)
        else:
            self.km.cleanup_resources()
        self.log_file.close()
        os.unlink(self.log_path)


class RawChannel:
    """A DEALER on one of the kernel's ROUTER sockets that sends frames exactly as built here."""

    def __init__(self, kut, port):
        self.session = Session(key=kut.km.session.key)
        self.socket = zmq.Context.instance().socket(zmq.DEALER)
        self.socket.linger = 0
        self.socket.connect(f"{kut.km.transport}://{kut.km.ip}:{port}")

    def header(self, msg_type, **fields):
        h = {"msg_id": uuid.uuid4().hex, "session": self.session.session, "username": "test",
             "date": "2026-12-07T00:00:00.000000Z", "msg_type": msg_type, "version": "5.3"}
        h.update(fields)
        return h

    def send(self, header, content=None, parent=None, metadata=None, signature_case=str.lower):
        parts = [json.dumps(x).encode() for x in (header, parent or {}, metadata or {}, content if content is not None else {})]
        signature = self.session.sign(parts).decode()
        self.socket.send_multipart([b"<IDS|MSG>", signature_case(signature).encode()] + parts)
        return header.get("msg_id")

    def replies(self, seconds, first_within=None):
        """Every reply that arrives until none has come for `seconds` (or, before the first, for `first_within`)."""
        got = []
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while dict(poller.poll(1000 * (seconds if got or first_within is None else first_within))).get(self.socket):
            _, frames = self.session.feed_identities(self.socket.recv_multipart())
            got.append(self.session.deserialize(frames))
        return got

    def close(self):
        self.socket.close(0)


class HardeningTests(unittest.TestCase):
    def setUp(self):
        self.kut = None

    def tearDown(self):
        if self.kut is not None:
            self.kut.close()

    def start(self, key=None):
        self.kut = KernelUnderTest(key)
        return self.kut

    def assert_answers_six_times_seven(self):
        self.assertTrue(self.kut.km.is_alive(), self.kut.log())
        reply, outputs = run(self.kut.kc, "6 * 7", timeout=TIMEOUT)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(text_of(outputs, "execute_result"), "42")

    # 6: a header field of the wrong JSON type is dropped with a log line, on shell and on control.
    def test_wrong_typed_header_fields_are_dropped_on_shell_and_control(self):
        kut = self.start()
        for name, port in (("shell", kut.km.shell_port), ("control", kut.km.control_port)):
            channel = RawChannel(kut, port)
            for bad in (5, 1.5, True, None, [], {"nested": "kernel_info_request"}):
                channel.send(channel.header(bad))
            channel.send(channel.header("kernel_info_request", msg_id=17))
            channel.send(channel.header("kernel_info_request"))
            replies = channel.replies(3, first_within=TIMEOUT)
            channel.close()
            self.assertEqual([r["msg_type"] for r in replies], ["kernel_info_reply"], name)
            self.assertTrue(kut.km.is_alive(), f"{name}:\n{kut.log()}")
        log = kut.log()
        self.assertIn("header msg_type is a JSON number, expected a string", log)
        self.assertIn("header msg_type is a JSON array, expected a string", log)
        self.assertIn("header msg_id is a JSON number, expected a string", log)
        self.assert_answers_six_times_seven()

    # 13: the replay check compares MACs, not their spelling.
    def test_a_signature_replayed_in_upper_case_is_refused(self):
        kut = self.start()
        channel = RawChannel(kut, kut.km.shell_port)
        header = channel.header("execute_request")
        content = {"code": "1", "silent": False}
        # One message, sent with its MAC in lower-case hex, then again in upper case: the second is a replay.
        channel.send(header, content)
        channel.send(header, content, signature_case=str.upper)
        replies = channel.replies(5, first_within=TIMEOUT)
        channel.close()
        self.assertEqual([r["msg_type"] for r in replies], ["execute_reply"])
        self.assertIn("duplicate signature", kut.log())

    def test_an_empty_key_prints_a_warning(self):
        kut = self.start(key=b"")
        self.assertEqual(kut.km.session.key, b"")
        self.assertIn("key is empty", kut.log())
        self.assert_answers_six_times_seven()

    # 14: a search pattern is a glob matched in bounded time, not a backtracking regex.
    def test_history_search_with_many_stars_answers(self):
        kut = self.start()
        run(kut.kc, "var text = \"" + "a" * 3000 + "\"; // " + "a" * 3000)
        run(kut.kc, "var other = 1;")
        started = time.time()
        msg_id = kut.kc.history(hist_access_type="search", pattern="*a*a*a*a*a*a*a*a*b", output=False, raw=True)
        reply = shell_reply(kut.kc, msg_id, timeout=TIMEOUT)
        self.assertEqual(reply["content"]["history"], [])
        msg_id = kut.kc.history(hist_access_type="search", pattern="var ?ther*", output=False, raw=True)
        reply = shell_reply(kut.kc, msg_id, timeout=TIMEOUT)
        self.assertEqual([entry[2] for entry in reply["content"]["history"]], ["var other = 1;"])
        report(f"history search of an 8-star pattern over a 6,000-character cell: {time.time() - started:.2f} s")
        self.assert_answers_six_times_seven()

    # 3: a burst of displays reaches a client that reads with jupyter_client's defaults (receive HWM 1000).
    def test_a_burst_of_displays_reaches_a_default_client(self):
        kut = self.start()
        run(kut.kc, "1")
        n = int(os.environ.get("ARCHNB_BURST", "10000"))
        started = time.time()
        msg_id = kut.kc.execute(f"for (int i = 0; i < {n}; i++) display(i);\n42")
        displays, results, idle, last_value = 0, 0, False, None
        while not idle:
            try:
                msg = kut.kc.get_iopub_msg(timeout=20)
            except Empty:
                break
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "display_data":
                displays += 1
                last_value = msg["content"]["data"]["text/plain"]
            elif kind == "execute_result":
                results += 1
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        reply = shell_reply(kut.kc, msg_id, timeout=TIMEOUT)
        report(f"{n} display(i) read with jupyter_client defaults: {displays} display_data, {results} execute_result, "
               f"idle {'arrived' if idle else 'missing'}, in {time.time() - started:.1f} s")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual((displays, results, idle), (n, 1, True))
        self.assertEqual(last_value, str(n - 1))
        self.assert_answers_six_times_seven()

    # 2: one write over System.Text.Json's string limit is truncated with a note; the kernel lives.
    def test_one_huge_stdout_write_is_truncated_and_the_kernel_lives(self):
        kut = self.start()
        reply, outputs = run(kut.kc, "Console.Write(new string('x', 170_000_000)); \"written\"", timeout=180)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(text_of(outputs, "execute_result"), "written")
        text = text_of(outputs)
        self.assertTrue(text.startswith("xxxx"))
        self.assertIn("output truncated", text)
        self.assertLess(len(text), 170_000_000)
        report(f"a 170,000,000-character write arrived as {len(text):,} characters with a truncation note")
        time.sleep(1)  # the console flush timer runs every 50 ms: give it a few rounds
        self.assert_answers_six_times_seven()

    # 8: deep code gets an answer (an error or a result), never a dead kernel.
    def test_deeply_nested_code_is_answered_and_the_kernel_lives(self):
        kut = self.start()
        parens = "var deep = " + "(" * 20000 + "1" + ")" * 20000 + ";"
        lambdas = "{}"
        for _ in range(3000):
            lambdas = "{ ((Action)(() => " + lambdas + "))(); }"
        lambdas = "Action deepLambda = () => " + lambdas + ";"
        for code in (parens, lambdas):
            reply, outputs = run(kut.kc, code, timeout=180)
            self.assertIn(reply["status"], ("ok", "error"))
            if reply["status"] == "error":
                self.assertIn("nest", reply["evalue"])
            report(f"{len(code):,}-character nested cell: {reply['status']} {reply.get('evalue', '')[:120]}")
            msg_id = kut.kc.is_complete(code)
            answer = shell_reply(kut.kc, msg_id, timeout=180)
            self.assertIn(answer["content"]["status"], ("complete", "incomplete", "invalid", "unknown"))
            self.assertTrue(kut.km.is_alive(), kut.log())
        self.assert_answers_six_times_seven()

    # 9: an exception on a user thread ends the process (as .NET does), but the reason reaches stderr first.
    def test_an_exception_on_a_user_thread_is_written_to_stderr(self):
        kut = self.start()
        msg_id = kut.kc.execute("new Thread(() => throw new InvalidOperationException(\"thrown on a thread by the test\")).Start();\n"
                                "Thread.Sleep(10_000);")
        told = ""
        deadline = time.time() + 30
        while kut.km.is_alive() and time.time() < deadline:
            try:
                msg = kut.kc.get_iopub_msg(timeout=0.2)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                told += msg["content"]["text"]
        self.assertTrue(kut.wait_for_death(5), "the kernel should end: .NET ends a process on an unhandled exception")
        log = kut.log()
        self.assertIn("thrown on a thread by the test", log)
        self.assertIn("unhandled exception", log)
        # The front end is told too, as stderr of the cell that was running.
        self.assertIn("thrown on a thread by the test", told)

    # An IPv6 address in the connection file binds (in brackets, with ZMQ_IPV6) and answers over IPv6.
    def test_an_ipv6_address_binds(self):
        probes = [socket.socket(socket.AF_INET6) for _ in range(5)]
        for probe in probes:
            probe.bind(("::1", 0))
        ports = [probe.getsockname()[1] for probe in probes]
        for probe in probes:
            probe.close()
        key = uuid.uuid4().hex
        names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]
        connection = dict(zip(names, ports), transport="tcp", ip="::1", signature_scheme="hmac-sha256", key=key)
        directory = tempfile.mkdtemp(prefix="archnb-ipv6-")
        path = os.path.join(directory, "kernel.json")
        with open(path, "w") as f:
            json.dump(connection, f)
        argv = [a.replace("{connection_file}", path) for a in KernelSpecManager().get_kernel_spec("archnb").argv]
        log_path = os.path.join(directory, "kernel.log")
        with open(log_path, "w") as log:
            kernel = subprocess.Popen(argv, stderr=log, stdout=subprocess.DEVNULL)
        context = zmq.Context()
        try:
            heartbeat = context.socket(zmq.REQ)
            shell = context.socket(zmq.DEALER)
            for s in (heartbeat, shell):
                s.setsockopt(zmq.IPV6, 1)
                s.linger = 0
            heartbeat.connect(f"tcp://[::1]:{connection['hb_port']}")
            shell.connect(f"tcp://[::1]:{connection['shell_port']}")
            heartbeat.send(b"ping")
            self.assertTrue(heartbeat.poll(TIMEOUT * 1000), open(log_path).read())
            self.assertEqual(heartbeat.recv(), b"ping")
            session = Session(key=key.encode())
            session.send(shell, "kernel_info_request", {})
            self.assertTrue(shell.poll(TIMEOUT * 1000), open(log_path).read())
            _, frames = session.feed_identities(shell.recv_multipart())
            self.assertEqual(session.deserialize(frames)["msg_type"], "kernel_info_reply")
        finally:
            context.destroy(linger=0)
            kernel.kill()
            kernel.wait()

    # Fuzz: signed messages of random types and shapes; afterwards the kernel still answers 6 * 7.
    def test_fuzzed_shell_messages_leave_the_kernel_answering(self):
        kut = self.start()
        rng = random.Random(int(os.environ.get("ARCHNB_FUZZ_SEED", "20")))
        count = int(os.environ.get("ARCHNB_FUZZ_COUNT", "1500"))
        known = ["kernel_info_request", "execute_request", "complete_request", "inspect_request", "is_complete_request",
                 "history_request", "comm_info_request", "comm_open", "comm_msg", "comm_close", "interrupt_request",
                 "input_reply", "no_such_request", "_request", ""]
        fields = ["code", "cursor_pos", "silent", "store_history", "allow_stdin", "user_expressions", "hist_access_type",
                  "pattern", "n", "start", "stop", "unique", "output", "raw", "comm_id", "target_name", "data", "restart",
                  "detail_level", "stop_on_error", "session"]

        def value(depth=0):
            kinds = ["int", "float", "str", "bool", "null", "big"] + (["list", "dict"] if depth < 4 else [])
            kind = rng.choice(kinds)
            if kind == "int":
                return rng.choice([0, -1, 1, 7, 2**31, -2**63, 10**30])
            if kind == "float":
                return rng.choice([0.5, -1e308, 1e-300, 3.0])
            if kind == "str":
                return "".join(rng.choice("ab(){};\"\\*?\n\u00e9\U0001f600 1+") for _ in range(rng.randint(0, 12)))
            if kind == "bool":
                return rng.random() < 0.5
            if kind == "big":
                return "*a" * rng.randint(1, 30) + "b"
            if kind == "list":
                return [value(depth + 1) for _ in range(rng.randint(0, 4))]
            if kind == "dict":
                return {rng.choice(fields): value(depth + 1) for _ in range(rng.randint(0, 5))}
            return None

        channel = RawChannel(kut, kut.km.shell_port)
        started = time.time()
        sent = 0
        for i in range(count):
            msg_type = rng.choice(known) if rng.random() < 0.9 else value()
            header = channel.header(msg_type)
            if rng.random() < 0.1:
                header[rng.choice(["msg_id", "session", "date", "version", "username"])] = value()
            content = {f: value() for f in rng.sample(fields, rng.randint(0, 6))} if rng.random() < 0.9 else value()
            if msg_type == "execute_request" and isinstance(content, dict) and not isinstance(content.get("code"), str):
                content["code"] = rng.choice(["1", "while (false) {}", "Console.Write(1)", "throw new Exception(\"fuzz\")", "#!who", "("])
            channel.send(header, content, parent=value() if rng.random() < 0.1 else None,
                         metadata=value() if rng.random() < 0.1 else None)
            sent += 1
            if i % 100 == 99:
                channel.replies(0.05)  # keep the DEALER's queue short
            if time.time() - started > 120:
                break
        # Messages from one DEALER are handled in order: once this is answered, every fuzzed one was handled.
        last = channel.send(channel.header("kernel_info_request"))
        deadline = time.time() + 120
        answered = False
        while time.time() < deadline and not answered:
            answered = any(r["parent_header"].get("msg_id") == last for r in channel.replies(1))
        channel.close()
        report(f"fuzz: {sent} signed messages of random types and shapes in {time.time() - started:.1f} s; kernel alive: {kut.km.is_alive()}")
        self.assertTrue(answered, kut.log()[-3000:])
        self.assert_answers_six_times_seven()

    # Stress: many cells of mixed output; every message arrives, memory per cell is reported and bounded.
    def test_stress_of_mixed_output_loses_nothing(self):
        kut = self.start()
        cells = int(os.environ.get("ARCHNB_STRESS_CELLS", "2000"))
        run(kut.kc, "var acc = new List<int>();")
        lost, baseline, started = [], None, time.time()
        for i in range(cells):
            if i == 100:
                baseline = kut.rss_kib()
            if i % 10 == 9:
                code = f"Console.WriteLine({i}); throw new InvalidOperationException(\"cell {i}\");"
                expected = ["stream", "error"]
            else:
                code = f"Console.WriteLine({i}); display({i}); acc.Add({i}); acc.Count"
                expected = ["stream", "display_data", "execute_result"]
            reply, outputs = run(kut.kc, code, timeout=TIMEOUT)
            # A line of stdout may reach the client in more than one stream message (the console flushes on a
            # timer, and a slow first cell can be flushed mid-line); clients join them, so compare the joined text.
            kinds, printed = [], ""
            for m in outputs:
                if m["msg_type"] == "stream":
                    printed += m["content"]["text"]
                    if kinds and kinds[-1] == "stream":
                        continue
                kinds.append(m["msg_type"])
            if kinds != expected or printed != f"{i}\n" or reply["status"] != ("error" if i % 10 == 9 else "ok"):
                lost.append((i, kinds, printed, reply["status"]))
        after = kut.rss_kib()
        per_cell = (after - baseline) / (cells - 100)
        report(f"stress: {cells} cells of mixed output in {time.time() - started:.1f} s; {len(lost)} with missing or extra messages; "
               f"kernel RSS {baseline // 1024} -> {after // 1024} MiB ({per_cell:.1f} KiB per cell after the first 100)")
        self.assertEqual(lost, [])
        self.assertLess(per_cell, 1024, "over 1 MiB of resident memory per cell")
        self.assert_answers_six_times_seven()


if __name__ == "__main__":
    unittest.main()
