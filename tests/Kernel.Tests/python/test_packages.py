"""NuGet packages in cells (#r "nuget: ..." and #:package), restored by the .NET SDK, through jupyter_client.

Run by Kernel.Tests with JUPYTER_PATH pointing at a temporary kernelspec install. Needs the NuGet source
configured on the machine (the packages below are small and served by the project's feed).
"""
import os
import shutil
import signal
import tempfile
import time
import unittest
import uuid

from jupyter_client.manager import start_new_kernel

from test_client import KernelTestCase, run, text_of

RESTORE_TIMEOUT = 300


class PackageTests(KernelTestCase):
    def test_nuget_reference_with_version(self):
        reply, outputs = run(self.kc, '#r "nuget: Humanizer.Core, 3.0.10"\nusing Humanizer;\n"PascalCaseInputString".Humanize()', timeout=RESTORE_TIMEOUT)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("Restored Humanizer.Core 3.0.10", text_of(outputs))
        self.assertEqual(text_of(outputs, "execute_result"), "Pascal case input string")
        # Later cells keep the package; asking again for the same one restores nothing.
        reply, outputs = run(self.kc, '#r "nuget: Humanizer.Core, 3.0.10"\n"TwoWords".Humanize()')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertNotIn("Restored", text_of(outputs))

    def test_package_directive_with_transitive_and_native_dependencies(self):
        # Microsoft.Data.Sqlite brings SQLitePCLRaw's bundle, provider and the native e_sqlite3 library for this runtime.
        reply, outputs = run(self.kc, textwrap_code(
            "#:package Microsoft.Data.Sqlite@10.0.0",
            'var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");',
            "connection.Open();",
            "var command = connection.CreateCommand();",
            'command.CommandText = "select sqlite_version()";',
            "(string)command.ExecuteScalar()!"), timeout=RESTORE_TIMEOUT)
        self.assertEqual(reply["status"], "ok", reply)
        restored = text_of(outputs)
        self.assertIn("SQLitePCLRaw.lib.e_sqlite3", restored)
        self.assertRegex(text_of(outputs, "execute_result"), r'^3\.\d+\.\d+$')

    def test_unknown_package_and_unknown_version_say_so(self):
        reply, _ = run(self.kc, '#r "nuget: ArchNotebooksNoSuchPackage, 1.0.0"', timeout=RESTORE_TIMEOUT)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "PackageRestoreError")
        self.assertIn("there is no package 'ArchNotebooksNoSuchPackage'", reply["evalue"])
        reply, _ = run(self.kc, "#:package Humanizer.Core@99.0.0", timeout=RESTORE_TIMEOUT)
        self.assertEqual(reply["status"], "error")
        self.assertIn("has no version 99.0.0", reply["evalue"])
        # The failed requests are forgotten; the session goes on.
        reply, outputs = run(self.kc, "1 + 1")
        self.assertEqual(text_of(outputs, "execute_result"), "2")


class RestoreFolderTests(unittest.TestCase):
    def test_a_starting_kernel_removes_the_restore_folders_of_killed_kernels(self):
        root = os.path.join(tempfile.gettempdir(), "archnb-packages")
        km, kc = start_new_kernel(kernel_name="archnb", startup_timeout=60)
        try:
            reply, _ = run(kc, '#r "nuget: Humanizer.Core, 3.0.10"', timeout=RESTORE_TIMEOUT)
            self.assertEqual(reply["status"], "ok", reply)
            pid = km.provisioner.process.pid
            killed = [os.path.join(root, f) for f in os.listdir(root) if f.startswith(f"{pid}-")]
            self.assertEqual(len(killed), 1, os.listdir(root))
            km.provisioner.process.send_signal(signal.SIGKILL)  # no shutdown, no cleanup of its own
            km.provisioner.process.wait()
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        self.assertTrue(os.path.isdir(killed[0]), "SIGKILL leaves the folder behind")
        # Two folders under this (live) test process's pid: one written after it started (its owner is alive, kept)
        # and one dated before it started (the pid was reused since its kernel died, removed).
        live = os.path.join(root, f"{os.getpid()}-{uuid.uuid4().hex}")
        reused = os.path.join(root, f"{os.getpid()}-{uuid.uuid4().hex}")
        os.makedirs(live)
        os.makedirs(reused)
        self.addCleanup(shutil.rmtree, live, True)
        self.addCleanup(shutil.rmtree, reused, True)
        long_ago = time.time() - 10 * 24 * 3600
        os.utime(reused, (long_ago, long_ago))
        km, kc = start_new_kernel(kernel_name="archnb", startup_timeout=60)
        try:
            reply, _ = run(kc, "1 + 1")  # cells wait for the session's start, which sweeps
            self.assertEqual(reply["status"], "ok")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        self.assertFalse(os.path.exists(killed[0]), "the killed kernel's folder is removed by the next kernel's start")
        self.assertFalse(os.path.exists(reused), "a folder whose pid now belongs to a younger process is removed")
        self.assertTrue(os.path.isdir(live), "a live kernel's folder is kept")


def textwrap_code(*lines):
    return "\n".join(lines)


if __name__ == "__main__":
    unittest.main()
