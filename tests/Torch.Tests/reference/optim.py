"""Reference trajectories for the C# optimizers, gradient clipping and lr schedules, from torch.optim.

usage: optim.py IN OUT
IN (written by C#): "param.K" initial parameters; "grad.S.K" the gradient of parameter K at step S
(absent: the parameter has no gradient that step).
OUT (written by hand): "CONFIG.S.K" parameter K after step S; "clip.NAME.total" and "clip.NAME.K"
for clip_grad_norm_ on the step-0 gradients; "sched.NAME" the lr after construction and each step.
The config names and hyperparameters mirror OptimParityTests.cs.
"""
import math
import sys

import torch

import safetensors_by_hand as st
import shampoo


class Lion(torch.optim.Optimizer):
    """Lion is not in torch 1.13. Written from the paper (Chen et al. 2023, Algorithm 2):
    c = b1*m + (1-b1)*g; p = p - lr*(sign(c) + wd*p); m = b2*m + (1-b2)*g,
    with the decay applied as p*(1 - lr*wd) before the signed step."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                m = state["exp_avg"]
                c = m.mul(b1).add_(p.grad, alpha=1 - b1).sign_()
                if group["weight_decay"] != 0:
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(c, alpha=-group["lr"])
                m.mul_(b2).add_(p.grad, alpha=1 - b2)


def configs(ps):
    """name -> (optimizer, scheduler or None); the same list as OptimParityTests.Configs."""
    O = torch.optim
    return {
        "sgd": lambda: (O.SGD(ps, lr=0.1), None),
        "sgd_momentum": lambda: (O.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1), None),
        "sgd_nesterov_wd": lambda: (O.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), None),
        "sgd_wd_maximize": lambda: (O.SGD(ps, lr=0.1, weight_decay=0.1, maximize=True), None),
        "adam": lambda: (O.Adam(ps, lr=1e-2), None),
        "adam_wd_amsgrad": lambda: (O.Adam(ps, lr=1e-2, weight_decay=0.1, amsgrad=True), None),
        "adamw": lambda: (O.AdamW(ps, lr=1e-2, weight_decay=0.1), None),
        "adamw_betas_maximize": lambda: (O.AdamW(ps, lr=3e-3, betas=(0.8, 0.95), eps=1e-6, amsgrad=True, maximize=True), None),
        "adamw_groups": lambda: (O.AdamW([{"params": ps[:2]}, {"params": ps[2:], "lr": 1e-3, "weight_decay": 0.0}],
                                         lr=1e-2, weight_decay=0.1), None),
        "lion": lambda: (Lion(ps, lr=1e-3, weight_decay=0.1), None),
        "lion_betas": lambda: (Lion(ps, lr=3e-4, betas=(0.95, 0.98)), None),
        "sgd_momentum_steplr": lambda: with_scheduler(O.SGD(ps, lr=0.05, momentum=0.9),
                                                      lambda o: O.lr_scheduler.StepLR(o, step_size=5, gamma=0.5)),
    }


def with_scheduler(opt, make):
    return opt, make(opt)


def main(src, dst):
    data, _ = st.read(src)
    nparams = len([k for k in data if k.startswith("param.")])
    nsteps = 1 + max(int(k.split(".")[1]) for k in data if k.startswith("grad."))
    out = {}

    def fresh():
        return [data[f"param.{k}"].clone().requires_grad_() for k in range(nparams)]

    for name, make in configs([None] * nparams).items():
        ps = fresh()
        opt, sched = configs(ps)[name]()
        for s in range(nsteps):
            for k, p in enumerate(ps):
                g = data.get(f"grad.{s}.{k}")
                p.grad = None if g is None else g.clone()
            opt.step()
            if sched is not None:
                sched.step()
            for k, p in enumerate(ps):
                out[f"{name}.{s}.{k}"] = p.detach().clone()

    # Shampoo runs in numpy (shampoo.py) on the same inputs; the names mirror ShampooTests.Configs.
    shampoo_configs = {
        "shampoo": dict(lr=0.1, block_size=3),
        "shampoo_blocks_momentum_wd": dict(lr=0.05, momentum=0.9, weight_decay=0.01, eps=1e-3, update_freq=3, block_size=3),
        "shampoo_whole_maximize": dict(lr=0.02, update_freq=2, maximize=True),
    }
    for name, settings in shampoo_configs.items():
        ps = [data[f"param.{k}"].numpy().copy() for k in range(nparams)]
        opt = shampoo.Shampoo(ps, **settings)
        for s in range(nsteps):
            grads = [data[f"grad.{s}.{k}"].numpy() if f"grad.{s}.{k}" in data else None for k in range(nparams)]
            opt.step(grads)
            for k, p in enumerate(ps):
                out[f"{name}.{s}.{k}"] = torch.from_numpy(p.copy())

    for label, max_norm, norm_type in [("l2", 1.0, 2.0), ("l1", 1.0, 1.0), ("inf", 0.5, math.inf), ("l3", 2.0, 3.0), ("l2_loose", 1e3, 2.0)]:
        ps = fresh()
        for k, p in enumerate(ps):
            p.grad = data[f"grad.0.{k}"].clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        out[f"clip.{label}.total"] = total.detach().reshape([])
        for k, p in enumerate(ps):
            out[f"clip.{label}.{k}"] = p.grad.clone()

    S = torch.optim.lr_scheduler
    schedules = {
        "step": lambda o: S.StepLR(o, step_size=3, gamma=0.5),
        "cosine": lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
        "linear": lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
        "constant": lambda o: S.ConstantLR(o, factor=0.5, total_iters=4),
        "exponential": lambda o: S.ExponentialLR(o, gamma=0.8),
    }
    for name, make in schedules.items():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        sched = make(opt)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(15):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        out[f"sched.{name}"] = torch.tensor(lrs, dtype=torch.float64)

    st.write(dst, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
