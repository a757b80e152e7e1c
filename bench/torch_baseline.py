"""PyTorch eager baseline for ./archnb bench torch: the same figures, same method (best of N), key=value lines.
Run by bench/Torch.Bench with OMP_NUM_THREADS and the BLAS of the binding's process."""
import sys, time
import torch

dev = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")


def blas_openmp():
    with open("/proc/self/maps") as maps:
        return 1 if "openblas-openmp" in maps.read() else 0

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

def attention():
    # The attention-shaped step (B 16, H 4, T 64, D 32): projections, scores, softmax, weighted sum, backward.
    b, h, t, d = 16, 4, 64, 32
    x = torch.randn(b, t, h * d, device=dev)
    wqkv = (torch.randn(3 * h * d, h * d, device=dev) * 0.05).requires_grad_()
    wo = (torch.randn(h * d, h * d, device=dev) * 0.05).requires_grad_()
    reps, times = (200 if dev.type == "cuda" else 30), []
    for _ in range(reps + 3):
        sync(); start = time.perf_counter()
        q, k, v = torch.nn.functional.linear(x, wqkv).view(b, t, 3, h, d).permute(2, 0, 3, 1, 4)
        weights = torch.softmax(q.matmul(k.transpose(-2, -1)) / d ** 0.5, -1)
        y = torch.nn.functional.linear(weights.matmul(v).transpose(1, 2).reshape(b, t, h * d), wo)
        y.pow(2).mean().backward()
        wqkv.grad = None
        wo.grad = None
        sync(); times.append((time.perf_counter() - start) * 1e3)
    return min(times[3:])


res = {"threads": torch.get_num_threads(), "blas_openmp": blas_openmp(),
       "add8x8_us": per_op_add(), "matmul1024_ms": matmul(), "mlp_fwd_bwd_ms": mlp(), "attention_step_ms": attention()}
print("".join(f"{k}={v}\n" for k, v in res.items()), end="")
