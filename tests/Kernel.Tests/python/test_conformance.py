"""jupyter_kernel_test's conformance suite (Debian's python3-jupyter-kernel-test) for the archnb kernel.

Run by Kernel.Tests with JUPYTER_PATH pointing at a temporary kernelspec install.
"""
import unittest

import jupyter_kernel_test


class ArchnbKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "archnb"
    language_name = "csharp"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("oops");'

    completion_samples = [
        {"text": "Math.Ab", "matches": {"Abs"}},
        {"text": "var zebraCount = 3;\nzebraC", "matches": {"zebraCount"}},
        {"text": '"text".ToUpperI', "matches": {"ToUpperInvariant"}},
    ]

    complete_code_samples = ["1 + 1", "var x = 2;", "if (true) { }", "#!time"]
    incomplete_code_samples = ["if (true) {", "var s = new[] {", "Console.WriteLine("]
    invalid_code_samples = ["var = ;", "int x = 1 2;"]

    code_generate_error = 'throw new InvalidOperationException("boom");'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": '"hi" + "!"', "result": "hi!"},
        {"code": "new[] { 1, 2, 3 }", "result": "[1, 2, 3]"},
    ]
    code_display_data = [
        {"code": 'display(HTML("<b>bold</b>"));', "mime": "text/html"},
        {"code": 'display(42);', "mime": "text/plain"},
    ]

    code_history_pattern = "6?7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.Abs"


if __name__ == "__main__":
    unittest.main()
