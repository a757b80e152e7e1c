""".NET Interactive's own C# kernel (the real Microsoft.dotnet-interactive 1.0.712001 tool, driven as a Jupyter kernel
through jupyter_client) with the adapter assembly (src/Adapters/DotNetInteractive) loaded the README's way: `#r` of the
built dll, then ArchKernelExtension.Load(). In one session: a tensor cell gets our tensor formatter, #!arch lines run as
directives of that kernel (model, summary, a usage error, a tiny ablation logged to a runs directory, attention maps),
and C# return values of our types (the ablation table, a figure) carry our HTML, text and plotly JSON.

The adapter is built by ./archnb setup into build/dotnet-interactive-adapter (it is not in the solution).
"""
import json
import os
import shutil
import tempfile
import unittest

from jupyter_client.manager import start_new_kernel

from test_frontends import TINY, execute
from test_polyglot import ROOT, install_kernelspec, install_tool, texts

ADAPTER = os.path.join(ROOT, "build", "dotnet-interactive-adapter", "ArchNotebooks.DotNetInteractive.dll")
PLOTLY = "application/vnd.plotly.v1+json"


def results(outputs):
    """The data bundles of the cell's execute_result messages."""
    return [m["content"]["data"] for m in outputs if m["msg_type"] == "execute_result"]


class AdapterTests(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(ADAPTER):
            self.fail(f"{ADAPTER} is missing: ./archnb setup builds it (dotnet build src/Adapters/DotNetInteractive -c Release)")
        install_tool()
        self.km, self.kc = start_new_kernel(kernel_name=install_kernelspec(), startup_timeout=180)
        self.addCleanup(self.km.shutdown_kernel, now=True)
        self.addCleanup(self.kc.stop_channels)
        self.runs = tempfile.mkdtemp(prefix="archnb-dni-runs-")
        self.addCleanup(shutil.rmtree, self.runs, ignore_errors=True)

    def run_cell(self, code, ok=True, timeout=180):
        reply, outputs = execute(self.kc, code, allow_stdin=False, timeout=timeout)
        if ok:
            self.assertEqual(reply["status"], "ok", f"{code}\n---\n{texts(outputs)}")
        return reply, outputs

    def test_the_adapter_brings_arch_and_our_formatters_into_the_dotnet_interactive_csharp_kernel(self):
        # Before loading, #!arch is unknown to the C# kernel: the directive below comes from the adapter.
        reply, outputs = self.run_cell("#!arch --help", ok=False)
        self.assertEqual(reply["status"], "error")
        self.assertIn("DNI101", texts(outputs))

        self.run_cell(f'#r "{ADAPTER}"\nawait ArchNotebooks.DotNetInteractive.ArchKernelExtension.Load();')

        # A tensor, by the toolkit's static import (as in an archnb cell), formatted by our tensor formatter.
        _, outputs = self.run_cell("var x = ones(2, 3) * 2; x")
        [bundle] = results(outputs)
        self.assertIn("<h4>tensor [2, 3] float32 on cpu</h4>", bundle["text/html"])
        self.assertIn("min 2  max 2  mean 2", bundle["text/plain"])

        # #!arch lines are directives of the C# kernel; the variables they bind are C# variables of the cell below.
        _, outputs = self.run_cell(f"#!arch model transformer --name m {TINY}\n#!arch summary m\nm.num_parameters() > 100")
        shown = texts(outputs)
        self.assertIn("MultiHeadAttention(dim=16, heads=2)", shown)
        self.assertIn("Summary of m (GPT)", shown)
        [result] = results(outputs)  # .NET Interactive's own formatting of a bool: HTML only
        self.assertIn("<pre>True</pre>", result["text/html"])

        # The host completes #!arch's subcommands and options from the directive the adapter registered.
        for code, expected in [("#!arch su", "summary"), ("#!arch train m ", "--steps")]:
            reply = self.kc.complete(code, len(code), reply=True, timeout=60)["content"]
            self.assertIn(expected, reply["matches"], code)

        # A usage error is the cell's error, with archnb's message, and a help line prints the subcommand's help.
        reply, outputs = self.run_cell("#!arch trian m", ok=False)
        self.assertEqual(reply["status"], "error")
        self.assertIn("unknown subcommand 'trian'. Did you mean 'train'?", texts(outputs))
        _, outputs = self.run_cell("#!arch summary --help")
        self.assertIn("#!arch summary", texts(outputs))

        # A tiny ablation through the magic (logged to a runs directory), then its table as a C# return value.
        _, outputs = self.run_cell(f"#!arch ablate m --remove ffn --seeds 2 --steps 4 --name grid --runs {self.runs} --result ab\nab.Table()")
        [table] = results(outputs)
        self.assertIn("(baseline)", table["text/html"])
        self.assertIn("<table", table["text/html"])
        self.assertRegex(table["text/plain"], r"\n\s*no-ffn\s+2\s")  # the variant's row, over both seeds
        self.assertIn("95% CI", table["text/plain"])
        self.assertTrue(os.listdir(self.runs), "the ablation logged no runs")

        # Attention maps from the magic, and a figure as a return value with the plotly mime type.
        _, outputs = self.run_cell("#!arch attention m")
        self.assertIn("Rows are queries, columns keys.", texts(outputs))
        _, outputs = self.run_cell("new Figure(new Scatter(new double[] { 1, 2, 3 }, new double[] { 3, 1, 2 }))")
        [figure] = results(outputs)
        plotly = figure[PLOTLY]
        plotly = json.loads(plotly) if isinstance(plotly, str) else plotly
        self.assertEqual(plotly["data"][0]["type"], "scatter")
        self.assertEqual(plotly["data"][0]["y"], [3, 1, 2])


if __name__ == "__main__":
    unittest.main()
