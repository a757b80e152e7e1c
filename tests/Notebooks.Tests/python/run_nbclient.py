"""Executes one notebook with Debian's nbclient and the installed archnb kernelspec, after injecting
parameters papermill-style (a cell tagged injected-parameters right after the cell tagged parameters).

usage: run_nbclient.py NOTEBOOK OUT.ipynb [NAME VALUE]...   (exit 0 when it ran without an error output)
"""
import os
import sys

import nbformat
from nbclient import NotebookClient


def literal(value):
    for kind in (int, float):
        try:
            kind(value)
            return value
        except ValueError:
            pass
    return value if value in ("true", "false") else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    path, out, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    nb = nbformat.read(path, as_version=4)
    if rest:
        source = "// Parameters injected by run_nbclient.py\n" + "".join(
            f"var {rest[i]} = {literal(rest[i + 1])};\n" for i in range(0, len(rest), 2))
        cell = nbformat.v4.new_code_cell(source.rstrip("\n"))
        cell.metadata["tags"] = ["injected-parameters"]
        index = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), -1)
        nb.cells.insert(index + 1, cell)
    client = NotebookClient(nb, kernel_name="archnb", timeout=300, startup_timeout=60,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    nbformat.validate(nb)
    nbformat.write(nb, out)
    if errors:
        print(f"FAIL {path}: error outputs {errors}")
        sys.exit(1)
    outputs = sum(len(c.outputs) for c in nb.cells if c.cell_type == "code")
    print(f"ok {path}: {outputs} outputs, kernel {nb.metadata.get('kernelspec', {}).get('name')}, language_info={nb.metadata.get('language_info', {}).get('name')}")


if __name__ == "__main__":
    main()
