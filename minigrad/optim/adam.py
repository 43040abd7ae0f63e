"""Adam and AdamW (torch.optim.Adam / AdamW, same update formulas and state names)."""
from __future__ import annotations

import math

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _set


class Adam(Optimizer):
    """Adam (matches torch.optim.Adam); decoupled_weight_decay=True gives AdamW.
        m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2          (t = step count)
        p = p - lr / (1 - b1^t) * m / (sqrt(v') / sqrt(1 - b2^t) + eps)
    with v' = max of all v so far when amsgrad, else v. weight_decay adds wd * p to g
    (Adam) or multiplies p by (1 - lr * wd) first (AdamW).
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused=None, decoupled_weight_decay: bool = False):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {b}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
            wd, amsgrad = group["weight_decay"], group["amsgrad"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = array_module(p.data)
                g = -p.grad.data if group["maximize"] else p.grad.data
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"] = Tensor._make(xp.zeros((), "float32"))
                    state["exp_avg"] = Tensor._make(xp.zeros_like(p.data))
                    state["exp_avg_sq"] = Tensor._make(xp.zeros_like(p.data))
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor._make(xp.zeros_like(p.data))
                state["step"].data = state["step"].data + 1
                t = float(state["step"].data)
                data = p.data
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        data = data * (1 - lr * wd)
                    else:
                        g = g + wd * data
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.data = m.data + (g - m.data) * (1 - b1)        # torch's lerp form
                v.data = v.data * b2 + (1 - b2) * g * g
                if amsgrad:
                    state["max_exp_avg_sq"].data = xp.maximum(state["max_exp_avg_sq"].data,
                                                              v.data)
                    v_hat = state["max_exp_avg_sq"].data
                else:
                    v_hat = v.data
                step_size = lr / (1 - b1 ** t)
                denom = xp.sqrt(v_hat) / math.sqrt(1 - b2 ** t) + eps
                _set(p, data - step_size * (m.data / denom))
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay, default weight_decay=1e-2 (torch.optim.AdamW)."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
