""".NET Interactive (the Microsoft.dotnet-interactive 1.0.712001 tool from NuGet, Polyglot Notebooks' engine) driven
as a Jupyter kernel through jupyter_client: a cell connects the archnb kernel with `#!connect jupyter`, and `#!arch`
lines reach it in the form the README documents (the connected kernel's selector, then each magic line indented).

The tool is installed once into build/dotnet-interactive (a tool path of this checkout). Run by Kernel.Tests with
JUPYTER_PATH pointing at a temporary kernelspec install; .NET Interactive finds archnb there through `jupyter kernelspec`.
"""
import json
import os
import subprocess
import unittest

from jupyter_client.manager import start_new_kernel

from test_frontends import TINY, execute

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TOOL_DIR = os.path.join(ROOT, "build", "dotnet-interactive")
TOOL = os.path.join(TOOL_DIR, "dotnet-interactive")
VERSION = "1.0.712001"


def install_tool():
    """The real tool, from the NuGet source configured on this machine, into the checkout's build/ (kept between runs)."""
    if os.path.exists(TOOL):
        listed = subprocess.run(["dotnet", "tool", "list", "--tool-path", TOOL_DIR], capture_output=True, text=True).stdout
        if VERSION in listed:
            return
    done = subprocess.run(["dotnet", "tool", "install", "Microsoft.dotnet-interactive", "--version", VERSION, "--tool-path", TOOL_DIR],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"dotnet tool install Microsoft.dotnet-interactive {VERSION} failed:\n{done.stdout}\n{done.stderr}")


def install_kernelspec():
    """.NET Interactive's own Jupyter kernel (what `dotnet interactive jupyter install` registers), in the test's JUPYTER_PATH."""
    spec_dir = os.path.join(os.environ["JUPYTER_PATH"].split(os.pathsep)[0], "kernels", "dotnet-interactive-csharp")
    os.makedirs(spec_dir, exist_ok=True)
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump({"argv": [TOOL, "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000"],
                   "display_name": ".NET (C#)", "language": "C#"}, f)
    return "dotnet-interactive-csharp"


def texts(outputs):
    """Everything a cell showed, as text: streams, text/plain and text/html of displays and results, error tracebacks."""
    parts = []
    for m in outputs:
        c = m["content"]
        parts.append(c.get("text", ""))
        parts.extend(str(v) for k, v in c.get("data", {}).items() if k in ("text/plain", "text/html"))
        parts.extend(c.get("traceback", []))
    return "\n".join(parts)


class PolyglotTests(unittest.TestCase):
    def setUp(self):
        install_tool()
        self.km, self.kc = start_new_kernel(kernel_name=install_kernelspec(), startup_timeout=180)
        self.addCleanup(self.km.shutdown_kernel, now=True)
        self.addCleanup(self.kc.stop_channels)

    def test_arch_lines_reach_a_kernel_connected_with_connect_jupyter(self):
        reply, outputs = execute(self.kc, "#!connect jupyter --kernel-name archnb --kernel-spec archnb", allow_stdin=False, timeout=240)
        self.assertEqual(reply["status"], "ok", texts(outputs))
        self.assertIn("Kernel added: #!archnb", texts(outputs))

        # A magic line at the start of a line is .NET Interactive's own directive syntax, so its parser refuses #!arch
        # before the cell leaves the process: this is why the documented form indents the magic lines.
        reply, outputs = execute(self.kc, "#!archnb\n#!arch --help", allow_stdin=False, timeout=60)
        self.assertEqual(reply["status"], "error")
        self.assertIn("DNI101", texts(outputs))

        # The documented form: the selector, then each #!arch line indented; they run in the archnb kernel.
        # C# after the magic lines, unindented, sees the model they made.
        reply, outputs = execute(self.kc, f"#!archnb\n #!arch model transformer --name m {TINY}\n #!arch summary m\nm.num_parameters() > 100",
                                 allow_stdin=False, timeout=120)
        self.assertEqual(reply["status"], "ok", texts(outputs))
        shown = texts(outputs)
        self.assertIn("MultiHeadAttention(dim=16, heads=2)", shown)
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"], ["true"])
        # A usage error from #!arch comes back as the cell's error, with archnb's message.
        reply, outputs = execute(self.kc, "#!archnb\n #!arch trian m", allow_stdin=False, timeout=60)
        self.assertEqual(reply["status"], "error")
        self.assertIn("unknown subcommand 'trian'", texts(outputs))


if __name__ == "__main__":
    unittest.main()
