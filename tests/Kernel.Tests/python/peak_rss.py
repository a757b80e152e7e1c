"""Runs a command and reports its peak resident memory: `peak_rss.py CMD ARGS...` prints `exit=N peak_rss_kib=M`.

The kernel's run tests use it to measure `archnb run` from outside (ru_maxrss of the waited-for child).
"""
import resource
import subprocess
import sys

completed = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(completed.stderr)
print(f"exit={completed.returncode} peak_rss_kib={peak}")
