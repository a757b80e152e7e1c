"""PyTorch eager baseline for ./archnb bench torch: the same three figures, same method (best of N), key=value lines."""
import sys, time
import torch

dev = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
out = sys.argv[2] if len(sys.argv) > 2 else None

def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()

def per_op_add():
    a, b = torch.randn(8, 8, device=dev), torch.randn(8, 8, device=dev)
    n, times = 20000, []
    for _ in range(30):
        sync(); t = time.perf_counter()
        for _ in range(n):
            c = a.add(b)
            del c
        sync(); times.append((time.perf_counter() - t) * 1e6 / n)
    return min(times[2:])

def matmul():
    a, b = torch.randn(1024, 1024, device=dev), torch.randn(1024, 1024, device=dev)
    reps, times = (200 if dev.type == "cuda" else 10), []
    for _ in range(reps + 2):
        sync(); t = time.perf_counter()
        c = a.matmul(b); sync()
        times.append((time.perf_counter() - t) * 1e3)
    return min(times[2:])

def mlp():
    x = torch.randn(256, 512, device=dev)
    y = torch.randint(0, 10, (256,), device=dev)
    w1 = (torch.randn(1024, 512, device=dev) * 0.03).requires_grad_()
    b1 = torch.zeros(1024, device=dev, requires_grad=True)
    w2 = (torch.randn(10, 1024, device=dev) * 0.03).requires_grad_()
    b2 = torch.zeros(10, device=dev, requires_grad=True)
    reps, times = (200 if dev.type == "cuda" else 30), []
    for _ in range(reps + 3):
        sync(); t = time.perf_counter()
        h = torch.nn.functional.linear(x, w1, b1).relu()
        loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(h, w2, b2), y)
        loss.backward()
        for p in (w1, b1, w2, b2):
            p.grad = None
        sync(); times.append((time.perf_counter() - t) * 1e3)
    return min(times[3:])

res = {"add8x8_us": per_op_add(), "matmul1024_ms": matmul(), "mlp_fwd_bwd_ms": mlp()}
lines = "".join(f"{k}={v}\n" for k, v in res.items())
if out:
    open(out, "w").write(lines)
print(f"torch {torch.__version__} threads {torch.get_num_threads()}\n" + lines, end="")
