"""Golden values for tunekit's optimizers, computed by torch.optim.

Re-run from the repository root with Debian's PyTorch:
    /usr/bin/python3 packages/core/scripts/golden/make_optimizer_golden.py
It writes packages/core/test/fixtures/golden-optimizers.json, read by
packages/core/src/train/optimizers.test.ts.

Problem: two parameters a [3, 4] and b [5] in two parameter groups, loss
  L = sum(0.5 * wa * a^2 + ca * a) + sum(0.5 * wb * b^2 + cb * b)
(so grad = w * p + c), five steps, with and without global-norm clipping.
"""
import json
import os

import torch

torch.manual_seed(0)
dt = torch.float64
init = {"a": torch.randn(3, 4, dtype=dt), "b": torch.randn(5, dtype=dt)}
coef = {
    "wa": torch.rand(3, 4, dtype=dt) * 2 + 0.5,
    "ca": torch.randn(3, 4, dtype=dt),
    "wb": torch.rand(5, dtype=dt) * 2 + 0.5,
    "cb": torch.randn(5, dtype=dt),
}


def loss_of(a, b):
    return (0.5 * coef["wa"] * a * a + coef["ca"] * a).sum() + (0.5 * coef["wb"] * b * b + coef["cb"] * b).sum()


def run(make_opt, max_norm, steps=5):
    a = init["a"].clone().requires_grad_(True)
    b = init["b"].clone().requires_grad_(True)
    opt = make_opt(a, b)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_of(a, b)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_([a, b], max_norm if max_norm else float("inf"))
        opt.step()
        history.append(
            {"loss": loss.item(), "grad_norm": norm.item(), "a": a.detach().flatten().tolist(), "b": b.detach().flatten().tolist()}
        )
    return history


cases = {
    "adamw": (
        lambda a, b: torch.optim.AdamW(
            [{"params": [a], "lr": 0.1, "weight_decay": 0.1}, {"params": [b], "lr": 0.05, "weight_decay": 0.0}],
            betas=(0.9, 0.999),
            eps=1e-8,
        ),
        None,
    ),
    "adamw_clipped": (
        lambda a, b: torch.optim.AdamW([{"params": [a], "lr": 0.1, "weight_decay": 0.01}, {"params": [b], "lr": 0.2}]),
        1.0,
    ),
    "sgd_momentum": (
        lambda a, b: torch.optim.SGD(
            [{"params": [a], "lr": 0.1, "weight_decay": 0.05}, {"params": [b], "lr": 0.05}], momentum=0.9, dampening=0.1
        ),
        None,
    ),
    "sgd_nesterov_clipped": (
        lambda a, b: torch.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.1}], momentum=0.8, nesterov=True),
        0.5,
    ),
    "sgd_plain": (lambda a, b: torch.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.3}]), None),
}

out = {
    "description": "torch.optim trajectories for tunekit's optimizer tests; see make_optimizer_golden.py",
    "torch_version": torch.__version__,
    "init": {k: v.flatten().tolist() for k, v in init.items()},
    "coef": {k: v.flatten().tolist() for k, v in coef.items()},
    "cases": {name: run(make, max_norm) for name, (make, max_norm) in cases.items()},
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "golden-optimizers.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path))
