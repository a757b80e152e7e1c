"""What different front ends get from the archnb kernel, driven by jupyter_client, nbclient and nbconvert:
live displays as a rewritten text line for console clients (which drop update_display_data), and the run log
next to the notebook whichever way the client says where the notebook is.

Run by Kernel.Tests with JUPYTER_PATH pointing at a temporary kernelspec install.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from test_client import TIMEOUT, KernelTestCase, shell_reply

TINY = "--task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2,maxlen=16"


def execute(kc, code, allow_stdin, metadata=None, timeout=TIMEOUT):
    """Sends an execute_request as a given front end would (stdin allowed or not, cell metadata) and returns
    (reply content, IOPub outputs up to idle). jupyter_client's execute() cannot set request metadata."""
    content = dict(code=code, silent=False, store_history=True, user_expressions={}, allow_stdin=allow_stdin, stop_on_error=True)
    msg = kc.session.msg("execute_request", content, metadata=metadata or {})
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    outputs = []
    deadline = time.time() + timeout
    while True:
        out = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if out["parent_header"].get("msg_id") != msg_id:
            continue
        if out["msg_type"] == "status":
            if out["content"]["execution_state"] == "idle":
                break
            continue
        if out["msg_type"] != "execute_input":
            outputs.append(out)
    return shell_reply(kc, msg_id, timeout)["content"], outputs


def stdout_of(outputs):
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def updates_of(outputs):
    return [m["content"]["data"] for m in outputs if m["msg_type"] == "update_display_data"]


class LiveTextTests(KernelTestCase):
    UPDATES = 'var h = display("step 0");\nfor (int i = 1; i <= 3; i++) h.Update($"progress\\nstep {i}");\nh.Update("done");\nConsole.WriteLine("after");'

    def test_a_console_client_sees_updates_as_one_rewritten_line(self):
        # jupyter console's request: stdin allowed, no cell metadata.
        reply, outputs = execute(self.kc, self.UPDATES, allow_stdin=True)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual([u["text/plain"] for u in updates_of(outputs)], ["progress\nstep 1", "progress\nstep 2", "progress\nstep 3", "done"])
        # Each update rewrites the line (lines joined, a shorter one padded over the longer), closed before the next output.
        self.assertEqual(stdout_of(outputs), "\rprogress  step 1\rprogress  step 2\rprogress  step 3\rdone            \nafter\n")
        # Notebook front ends name the cell (JupyterLab, VS Code) and headless runners refuse stdin (nbclient): no extra line.
        for allow_stdin, metadata in ((True, {"cellId": "5c1a0e3e-8d7e-4f5e-9a43-2b6f0f0d3c11"}), (False, None)):
            reply, outputs = execute(self.kc, self.UPDATES, allow_stdin=allow_stdin, metadata=metadata)
            self.assertEqual(reply["status"], "ok")
            self.assertEqual(len(updates_of(outputs)), 4)
            self.assertEqual(stdout_of(outputs), "after\n", (allow_stdin, metadata))

    def test_arch_train_progress_reaches_a_console_and_runs_go_next_to_a_vscode_notebook(self):
        notebook_dir = tempfile.mkdtemp(prefix="archnb-vscode-nb-")
        self.addCleanup(shutil.rmtree, notebook_dir, True)
        # VS Code names each cell by a URI holding the notebook's path; the kernel runs elsewhere (this test's directory).
        cell = {"cellId": "vscode-notebook-cell:" + notebook_dir.replace(" ", "%20") + "/study.ipynb#W1sZmlsZQ%3D%3D"}
        reply, outputs = execute(self.kc, f"#!arch model transformer --name m {TINY}\n#!arch train m --steps 12 --eval-every 4", allow_stdin=True, metadata=cell)
        self.assertEqual(reply["status"], "ok", reply)
        runs = os.path.join(notebook_dir, "runs")
        self.assertTrue(os.path.isdir(runs), os.listdir(notebook_dir))
        self.assertIn(f"Runs are logged in {runs} (next to the notebook)", stdout_of(outputs))
        updates = updates_of(outputs)
        self.assertGreaterEqual(len(updates), 3, "one forced update per evaluation")
        for data in updates:
            self.assertRegex(data["text/plain"], r"\] +\d+%", "every update carries its progress as text/plain")
        self.assertIn("100%", updates[-1]["text/plain"])
        self.assertNotIn("\r", stdout_of(outputs), "a notebook client gets no terminal line")

        # The same kernel driven by a console: each update's bar and status as one rewritten line, ending at 100%.
        reply, outputs = execute(self.kc, "#!arch train m --steps 12 --eval-every 4", allow_stdin=True)
        self.assertEqual(reply["status"], "ok", reply)
        text = stdout_of(outputs)
        lines = [part for part in text.split("\r") if part]
        self.assertGreaterEqual(len(lines), 3, text)
        self.assertTrue(all(re.search(r"\] +\d+%", line) for line in lines), lines)
        self.assertIn("100%", lines[-1])
        self.assertTrue(text.endswith("\n"))
        self.assertTrue(all(len(line.rstrip("\n")) <= 79 for line in lines), "lines fit an 80-column terminal")
        self.assertNotIn("Runs are logged", text, "said once per session and directory")


def tiny_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(tiny_cell())]
    nb.metadata["kernelspec"] = {"name": "archnb", "display_name": "C# (ArchNotebooks)", "language": "C#"}
    nbformat.write(nb, path)


def cell_stdout(nb):
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


class RunsLocationTests(unittest.TestCase):
    """Clients started from another directory than the notebook's: runs/ still lands next to the notebook."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="archnb-runs-location-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.notebook_dir = os.path.join(self.root, "project", "notebooks")
        self.elsewhere = os.path.join(self.root, "elsewhere")
        os.makedirs(self.notebook_dir)
        os.makedirs(self.elsewhere)
        self.notebook = os.path.join(self.notebook_dir, "study.ipynb")
        tiny_notebook(self.notebook)

    def assert_runs_next_to_the_notebook(self, text):
        runs = os.path.join(self.notebook_dir, "runs")
        self.assertTrue(os.path.isdir(runs), os.listdir(self.notebook_dir))
        self.assertEqual(os.listdir(self.elsewhere), [], "nothing in the client's own directory")
        self.assertIn(f"Runs are logged in {runs}", text)

    def test_nbclient_with_the_notebook_path(self):
        nb = nbformat.read(self.notebook, as_version=4)
        cwd = os.getcwd()
        os.chdir(self.elsewhere)
        try:
            NotebookClient(nb, kernel_name="archnb", timeout=120, resources={"metadata": {"path": self.notebook_dir}}).execute()
        finally:
            os.chdir(cwd)
        self.assert_runs_next_to_the_notebook(cell_stdout(nb))

    def test_jupyter_nbconvert_execute_from_another_directory(self):
        out = os.path.join(self.root, "out")
        done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120",
                               "--output-dir", out, self.notebook], cwd=self.elsewhere, capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assert_runs_next_to_the_notebook(cell_stdout(nbformat.read(os.path.join(out, "study.ipynb"), as_version=4)))

    def test_jupyter_server_session_name(self):
        # Jupyter Server 2 starts kernels with JPY_SESSION_NAME set to the notebook's full path.
        km, kc = start_new_kernel(kernel_name="archnb", startup_timeout=60, cwd=self.elsewhere,
                                  env={**os.environ, "JPY_SESSION_NAME": self.notebook})
        try:
            reply, outputs = execute(kc, tiny_cell(), allow_stdin=False, timeout=120)
            self.assertEqual(reply["status"], "ok", reply)
            self.assert_runs_next_to_the_notebook(stdout_of(outputs))
            self.assertIn("(next to the notebook)", stdout_of(outputs))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def tiny_cell():
    return f"#!arch model transformer --name m {TINY}\n#!arch train m --steps 4 --eval-every 2"


if __name__ == "__main__":
    unittest.main()
