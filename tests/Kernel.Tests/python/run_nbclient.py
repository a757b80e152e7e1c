"""Executes notebooks with Debian's nbclient and the installed archnb kernelspec; writes each executed copy to OUTDIR.

usage: run_nbclient.py OUTDIR NOTEBOOK...    (exit 0 when every notebook ran without an error output)
"""
import os
import sys

import nbformat
from nbclient import NotebookClient


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    failures = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name="archnb", timeout=120, startup_timeout=60,
                                resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        try:
            client.execute()
        except Exception as e:  # CellExecutionError and friends: report and go on
            print(f"FAIL {path}: {type(e).__name__}: {e}")
            failures += 1
            continue
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        outputs = sum(len(c.outputs) for c in nb.cells if c.cell_type == "code")
        if errors:
            print(f"FAIL {path}: error outputs {errors}")
            failures += 1
        nbformat.validate(nb)
        out = os.path.join(outdir, os.path.basename(path))
        nbformat.write(nb, out)
        print(f"ok {path}: {outputs} outputs, language_info={nb.metadata.get('language_info', {}).get('name')}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
