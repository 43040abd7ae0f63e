"""Adafactor (torch.optim.Adafactor of torch 2.13: same update formulas, state names, errors).

    t = step count;  g = grad (negated when maximize);  eps1 defaults to finfo(dtype).eps
    b = t^beta2_decay;  rho = min(lr, 1 / sqrt(t));  alpha = max(eps2, ||p|| / sqrt(numel)) rho
    weight_decay: p = p * (1 - lr * wd)
    matrices (and batches of them, over the last two dims):
        R = R + b (||g||_row^2 / ncols - R);   C = C + b (||g||_col^2 / nrows - C)
        V = R C / max(mean of R over rows, eps1)           (states 'row_var', 'col_var')
    vectors and scalars:  V = V + b (g^2 - V)                          (state 'variance')
    u = g / sqrt(max(V, eps1^2));  p = p - alpha / max(1, ||u|| / (sqrt(numel) d)) * u
As in torch, eps1=None takes the machine epsilon of the first parameter of the group that
has a gradient and keeps it for the rest of that group.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import bump, check_flags, check_group_flags, fma, lerp, scalar, scalar_lr
from .optimizer import Optimizer, _set


class Adafactor(Optimizer):
    """Adafactor with factored second moments (matches torch.optim.Adafactor)."""

    def __init__(self, params, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps=(None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach=None, maximize: bool = False):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        check_flags("Adafactor", foreach)
        super().__init__(params, {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                                  "weight_decay": weight_decay, "foreach": foreach,
                                  "maximize": maximize})

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("Adafactor", group)
            lr, decay, d, wd = group["lr"], group["beta2_decay"], group["d"], \
                group["weight_decay"]
            eps1, eps2 = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = array_module(p.data)
                g = p.grad.data
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"] = scalar(p, 0.0)
                    if g.ndim > 1:
                        state["row_var"] = Tensor._make(xp.zeros(g.shape[:-1] + (1,), g.dtype))
                        state["col_var"] = Tensor._make(
                            xp.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype))
                    else:
                        state["variance"] = Tensor._make(xp.zeros_like(g))
                if group["maximize"]:
                    g = -g
                if eps1 is None:
                    eps1 = float(np.finfo(p.data.dtype).eps)
                bump(state["step"])
                t = float(state["step"].data)
                b = t ** decay
                rho = min(lr, 1 / (t ** 0.5))
                numel = p.data.size
                alpha = max(eps2, float(_norm(xp, p.data)) / (numel ** 0.5)) * rho
                data = p.data
                if wd != 0:
                    data = data * (1 - lr * wd)
                if g.ndim > 1:
                    r, c = state["row_var"], state["col_var"]
                    row_mean = xp.sqrt((g * g).sum(axis=-1, keepdims=True)) ** 2 / g.shape[-1]
                    r.data = lerp(r.data, row_mean, b)
                    col_mean = xp.sqrt((g * g).sum(axis=-2, keepdims=True)) ** 2 / g.shape[-2]
                    c.data = lerp(c.data, col_mean, b)
                    var = r.data @ c.data
                    var = var / xp.maximum(r.data.mean(axis=-2, keepdims=True), eps1)
                else:
                    v = state["variance"]
                    v.data = lerp(v.data, g * g, b)
                    var = v.data
                update = 1 / xp.sqrt(xp.maximum(var, eps1 * eps1)) * g
                denom = max(1.0, float(_norm(xp, update)) / ((update.size ** 0.5) * d))
                _set(p, fma(-alpha / denom, update.astype(data.dtype), data))
        return loss


def _norm(xp, a):
    """The 2-norm of all elements (0 for an empty tensor)."""
    return math.sqrt(float((a * a).sum())) if a.size else 0.0
