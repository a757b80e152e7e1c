"""jupyter console, in a real terminal (tmux), running `#!arch train` against the archnb kernel: the progress
bar moves on screen instead of staying at "0% starting" (jupyter console drops update_display_data).

Run by Kernel.Tests with JUPYTER_PATH pointing at a temporary kernelspec install.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from test_frontends import TINY

BAR = re.compile(r"\r\[[#.]{30}\] +(\d+)%")


class ConsoleTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="archnb-console-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        # A server of our own (-L), so the test never touches the user's tmux sessions.
        self.tmux = ["tmux", "-L", "archnb-test-" + os.path.basename(self.dir)]
        self.raw = os.path.join(self.dir, "pane.raw")
        console = f"cd {shlex.quote(self.dir)} && exec {shlex.quote(sys.executable)} -m jupyter_console --kernel archnb"
        subprocess.run(self.tmux + ["new-session", "-d", "-s", "console", "-x", "100", "-y", "40", console], check=True)
        self.addCleanup(subprocess.run, self.tmux + ["kill-server"], capture_output=True)
        # Every byte the console writes to the terminal, carriage returns included.
        subprocess.run(self.tmux + ["pipe-pane", "-o", "-t", "console", "cat >> " + shlex.quote(self.raw)], check=True)

    def screen(self):
        return subprocess.run(self.tmux + ["capture-pane", "-p", "-t", "console"], capture_output=True, text=True).stdout

    def wait_for(self, pattern, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if re.search(pattern, self.screen()):
                return
            time.sleep(0.2)
        self.fail(f"no {pattern!r} on the screen after {timeout} s:\n{self.screen()}")

    def type_line(self, text):
        subprocess.run(self.tmux + ["send-keys", "-t", "console", "-l", text], check=True)
        subprocess.run(self.tmux + ["send-keys", "-t", "console", "Enter"], check=True)

    def test_arch_train_shows_live_progress_text(self):
        self.wait_for(r"In \[1\]")
        self.type_line(f"#!arch model transformer --name m {TINY}")
        self.wait_for(r"In \[2\]")
        self.type_line("#!arch train m --steps 20 --eval-every 5 --no-log")
        self.wait_for(r"Completed after 20/20 steps[\s\S]*In \[3\]")
        with open(self.raw, encoding="utf-8", errors="replace", newline="") as f:  # carriage returns kept
            written = f.read()
        # The bar was redrawn in place as training went: forced updates at steps 5, 10, 15 and 20, in order.
        shown = [int(p) for p in BAR.findall(written)]
        self.assertGreaterEqual(len(shown), 4, written[-2000:])
        self.assertEqual(shown, sorted(shown))
        self.assertTrue(any(0 < p < 100 for p in shown), shown)
        self.assertEqual(shown[-1], 100)
        # What the screen shows now: the starting bar jupyter console printed, and under it the last state, not "0%".
        screen = self.screen()
        self.assertRegex(screen, r"\[#{30}\] 100%  Completed after 20/20 steps")
        self.assertRegex(screen, r"\] 0%  starting\n\[#{30}\] 100%")


if __name__ == "__main__":
    unittest.main()
