"""PyTorch eager baseline for ./archnb bench train: the same tiny GPT as Train.Bench, written out.

Pre-norm blocks, attention written out (fused q/k/v projection, masked softmax, weights materialised
as in our MultiHeadAttention), learned positions, tied embeddings, AdamW. Prints key=value lines:
"spec=tokens/s" for each size spec dim,layers,heads,seq,batch,steps (20th-percentile step time), and
"faults:spec=N", the minor page faults per measured step (fresh pages the process took from the kernel).
"""
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, dim, heads, seq):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(dim)
        self.in_proj = torch.nn.Linear(dim, 3 * dim)
        self.out_proj = torch.nn.Linear(dim, dim)
        self.norm2 = torch.nn.LayerNorm(dim)
        self.fc = torch.nn.Linear(dim, 4 * dim)
        self.proj = torch.nn.Linear(4 * dim, dim)
        bias = torch.zeros(1, seq, seq).masked_fill(torch.ones(seq, seq, dtype=torch.bool).triu(1), float("-inf"))
        self.register_buffer("attn_bias", bias, persistent=False)

    def attention(self, x):
        b, l, d = x.shape
        q, k, v = self.in_proj(x).view(b, l, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        scores = q.matmul(k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
        weights = (scores + self.attn_bias[:, :l, :l]).softmax(-1)
        return self.out_proj(weights.matmul(v).transpose(1, 2).reshape(b, l, d))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.proj(F.gelu(self.fc(self.norm2(x))))


class GPT(torch.nn.Module):
    def __init__(self, vocab, dim, layers, heads, seq):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, dim)
        self.wpe = torch.nn.Parameter(torch.randn(seq, dim) * 0.02)
        self.blocks = torch.nn.Sequential(*[Block(dim, heads, seq) for _ in range(layers)])
        self.norm_f = torch.nn.LayerNorm(dim)

    def forward(self, idx):
        h = self.wte(idx) + self.wpe[: idx.shape[1]]
        return F.linear(self.norm_f(self.blocks(h)), self.wte.weight)


def measure(vocab, dim, layers, heads, seq, batch, steps):
    torch.manual_seed(0)
    model = GPT(vocab, dim, layers, heads, seq)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    x = torch.randint(0, vocab, (batch, seq))
    y = torch.randint(0, vocab, (batch, seq))

    def step():
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    if os.environ.get("TRAIN_BENCH_BREAKDOWN") == "1":
        parts = [[], [], [], []]
        for _ in range(20):
            t0 = time.perf_counter(); logits = model(x)
            t1 = time.perf_counter(); loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
            t2 = time.perf_counter(); opt.zero_grad(set_to_none=True); loss.backward()
            t3 = time.perf_counter(); opt.step()
            t4 = time.perf_counter()
            for p, v in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                p.append(v * 1e3)
        print("  breakdown (ms): " + ", ".join(f"{n} {statistics.median(p):.2f}" for n, p in zip(("forward", "loss", "backward", "AdamW step"), parts)), file=sys.stderr)
    times = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / steps
    times.sort()
    return batch * seq / times[len(times) // 5], faults


def blas_openmp():
    with open("/proc/self/maps") as maps:
        return 1 if "openblas-openmp" in maps.read() else 0


if __name__ == "__main__":
    vocab = 64
    torch.set_num_threads(int(os.environ.get("ARCHNB_BENCH_THREADS", torch.get_num_threads())))
    print(f"threads={torch.get_num_threads()}\nblas_openmp={blas_openmp()}", flush=True)
    for spec in sys.argv[1:]:
        dim, layers, heads, seq, batch, steps = map(int, spec.split(","))
        tokens_per_second, faults = measure(vocab, dim, layers, heads, seq, batch, steps)
        print(f"{spec}={tokens_per_second:.1f}\nfaults:{spec}={faults:.1f}", flush=True)
