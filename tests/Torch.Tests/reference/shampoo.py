"""Shampoo in numpy, written from the paper (Gupta, Koren and Singer 2018, Algorithm 2 for order-k tensors),
as the reference for the C# optimizer, since torch.optim has no Shampoo.

For a gradient G of order k the paper keeps, per dimension i, H_i = eps*I + sum_t G_t(i) G_t(i)^T, where
G(i) is G unfolded along dimension i (rows: that dimension, columns: all others), and steps
W <- W - lr * (G x_1 H_1^(-1/2k) x_2 ... x_k H_k^(-1/2k)), x_i being the mode-i product.
Large-scale practice (and the C# class) adds three things this reference mirrors:
- block_size: each dimension is cut into blocks of at most block_size, every block of the grid is its own
  order-k problem with its own statistics (the preconditioner is block-diagonal);
- update_freq: the inverse roots are recomputed on a parameter's first step and every update_freq steps after,
  the statistics growing every step;
- momentum (heavy ball on the preconditioned gradient), L2 weight decay added to the gradient, maximize.
Statistics and roots are float64; the preconditioned gradient is cast to the parameter's dtype before the
momentum and the step, which are done in that dtype.
"""
import itertools

import numpy as np


def inverse_root(h, root):
    """h^(-1/root) for a symmetric positive definite h, by its eigendecomposition."""
    values, vectors = np.linalg.eigh(h)
    return (vectors * values ** (-1.0 / root)) @ vectors.T


def mode_product(x, m, d):
    """x x_d m: multiplies dimension d of x by the (symmetric) matrix m."""
    moved = np.moveaxis(x, d, 0)
    out = (m @ moved.reshape(moved.shape[0], -1)).reshape(moved.shape)
    return np.moveaxis(out, 0, d)


def blocks(shape, block_size):
    """Slices of the block grid, row-major (the C# order)."""
    ranges = [[slice(s, min(s + block_size, n)) for s in range(0, n, block_size)] for n in shape]
    return list(itertools.product(*ranges))


class Shampoo:
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, eps=1e-4, update_freq=1, block_size=128, maximize=False):
        self.params = params  # numpy arrays, updated in place
        self.lr, self.momentum, self.weight_decay, self.eps = lr, momentum, weight_decay, eps
        self.update_freq, self.block_size, self.maximize = update_freq, block_size, maximize
        self.state = [dict(step=0, stats={}, roots={}, buffer=None) for _ in params]

    def step(self, grads):
        """grads[k] is None when parameter k has no gradient this step (it is skipped, its count stays)."""
        for p, g, s in zip(self.params, grads, self.state):
            if g is None:
                continue
            s["step"] += 1
            g = -g if self.maximize else g
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            shape = p.shape if p.ndim > 0 else (1,)
            g64 = g.astype(np.float64).reshape(shape)
            direction = np.zeros(shape, np.float64)
            refresh = (s["step"] - 1) % self.update_freq == 0
            k = len(shape)
            for b, where in enumerate(blocks(shape, self.block_size)):
                block = g64[where]
                pre = block
                for d in range(k):
                    unfolded = np.moveaxis(block, d, 0).reshape(block.shape[d], -1)
                    key = (b, d)
                    if key not in s["stats"]:
                        s["stats"][key] = self.eps * np.eye(block.shape[d])
                    s["stats"][key] = s["stats"][key] + unfolded @ unfolded.T
                    if refresh or key not in s["roots"]:
                        s["roots"][key] = inverse_root(s["stats"][key], 2 * k)
                    pre = mode_product(pre, s["roots"][key], d)
                direction[where] = pre
            update = direction.reshape(p.shape).astype(p.dtype)
            if self.momentum != 0:
                if s["buffer"] is None:
                    s["buffer"] = update.copy()
                else:
                    s["buffer"] = (s["buffer"] * p.dtype.type(self.momentum) + update).astype(p.dtype)
                update = s["buffer"]
            p -= p.dtype.type(self.lr) * update
