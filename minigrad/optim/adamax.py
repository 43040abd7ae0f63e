"""Adamax (torch.optim.Adamax, same update formulas, state names and errors).

    t = step count;  g = grad (negated when maximize) + weight_decay * p
    m = m + (1 - beta1) * (g - m)                              (state 'exp_avg')
    u = max(beta2 * u, |g| + eps)                              (state 'exp_inf')
    p = p - lr / (1 - beta1^t) * m / u
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import (bump, check_adam_args, check_flags, check_group_flags, fma, lerp,
                     params_with_grad, scalar, scalar_lr)
from .optimizer import Optimizer, _set


class Adamax(Optimizer):
    """Adamax, Adam with the infinity norm (matches torch.optim.Adamax)."""

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        lr = scalar_lr(lr)
        check_adam_args(lr, eps, betas, weight_decay)
        check_flags("Adamax", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["exp_avg"] = Tensor._make(xp.zeros_like(p.data))
        state["exp_inf"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("Adamax", group)
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], \
                group["weight_decay"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                if wd != 0:
                    g = fma(wd, p.data, g)
                m, u = state["exp_avg"], state["exp_inf"]
                m.data = lerp(m.data, g, 1 - b1)
                u.data = xp.maximum(u.data * b2, xp.abs(g) + eps)
                clr = lr / (1 - b1 ** float(state["step"].data))
                _set(p, p.data + -clr * m.data / u.data)
        return loss
