"""archnb kernel vs ipykernel, driven by the same jupyter_client code.

usage: kernel_bench.py ARCHNB_DLL [ROUNDS]
Prints, per figure, both kernels and the ratio archnb/ipykernel (lower is better):
  ready       launch -> first kernel_info_reply
  first cell  launch -> execute_reply of a trivial cell (includes Roslyn's first compile)
  round trip  median execute_request -> idle for a trivial cell, over ROUNDS cells
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager


def install_specs(prefix, archnb_dll):
    subprocess.run(["dotnet", archnb_dll, "kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
    spec_dir = os.path.join(prefix, "share", "jupyter", "kernels", "ipy-debian")
    os.makedirs(spec_dir, exist_ok=True)
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                   "display_name": "Python 3 (Debian ipykernel)", "language": "python"}, f)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")


def wait_reply(kc, msg_id, timeout=60):
    deadline = time.perf_counter() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.01, deadline - time.perf_counter()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def wait_idle(kc, msg_id, timeout=60):
    deadline = time.perf_counter() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.perf_counter()))
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            return


def measure(kernel_name, code, rounds):
    km = KernelManager(kernel_name=kernel_name)
    t0 = time.perf_counter()
    km.start_kernel(stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    ready = None
    while ready is None:  # the kernel_info nudge every client does
        msg_id = kc.kernel_info()
        try:
            while True:
                msg = kc.get_shell_msg(timeout=0.05)
                if msg["parent_header"].get("msg_id") == msg_id:
                    ready = time.perf_counter() - t0
                    break
        except Exception:
            if time.perf_counter() - t0 > 60:
                raise TimeoutError(f"{kernel_name} never answered kernel_info")
    time.sleep(0.3)  # let the iopub subscription settle before timing executes
    while True:
        try:
            kc.get_iopub_msg(timeout=0.05)
        except Exception:
            break
    t1 = time.perf_counter()
    wait_reply(kc, kc.execute(code))
    first = ready + (time.perf_counter() - t1)
    trips = []
    for _ in range(rounds):
        start = time.perf_counter()
        msg_id = kc.execute(code)
        wait_reply(kc, msg_id)
        wait_idle(kc, msg_id)
        trips.append(time.perf_counter() - start)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return ready, first, statistics.median(trips)


def main():
    archnb_dll = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory(prefix="archnb-bench-") as prefix:
        install_specs(prefix, archnb_dll)
        runs = 3
        ours = [measure("archnb", "1 + 1", rounds) for _ in range(runs)]
        base = [measure("ipy-debian", "1 + 1", rounds) for _ in range(runs)]
    names = ["ready (kernel_info_reply)", "first trivial cell from launch", "execute round trip (median)"]
    targets = ["target <= 1.0x", "target < 1.5 s", "target <= 1.5x"]
    print(f"kernel benchmark: median of {runs} launches, {rounds} round trips each; archnb vs Debian ipykernel")
    for i, name in enumerate(names):
        a = statistics.median(r[i] for r in ours)
        b = statistics.median(r[i] for r in base)
        unit, scale = ("ms", 1e3) if a < 1 and b < 1 else ("s", 1)
        print(f"{name:32s} archnb {a * scale:8.2f} {unit}   ipykernel {b * scale:8.2f} {unit}   ({targets[i]})   ratio {a / b:.2f}x")


if __name__ == "__main__":
    main()
