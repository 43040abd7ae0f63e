"""NAdam (torch.optim.NAdam, same update formulas, state names and errors).

    t = step count;  g = grad (negated when maximize)
    weight_decay: p = p * (1 - lr * wd) if decoupled_weight_decay else g = g + wd * p
    mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
    P_t = P_{t-1} * mu_t                 (state 'mu_product', a float32 scalar as in torch)
    m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g^2
    d = sqrt(v / (1 - beta2^t)) + eps
    p = p - lr (1 - mu_t) / (1 - P_t) * g / d - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / d
"""
from __future__ import annotations

import numpy as np

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import (bump, check_adam_args, check_flags, check_group_flags, fma, lerp,
                     params_with_grad, scalar, scalar_lr)
from .optimizer import Optimizer, _set


class NAdam(Optimizer):
    """Adam with Nesterov momentum (matches torch.optim.NAdam)."""

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        lr = scalar_lr(lr)
        check_adam_args(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        check_flags("NAdam", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay,
                                  "momentum_decay": momentum_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable,
                                  "differentiable": differentiable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["mu_product"] = scalar(p, 1.0)
        state["exp_avg"] = Tensor._make(xp.zeros_like(p.data))
        state["exp_avg_sq"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("NAdam", group)
            lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
            wd, md = group["weight_decay"], group["momentum_decay"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                t = float(state["step"].data)
                bc2 = 1 - b2 ** t
                data = p.data
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        data = data * (1 - lr * wd)
                    else:
                        g = fma(wd, data, g)
                mu = b1 * (1.0 - 0.5 * (0.96 ** (t * md)))
                mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * md)))
                mp = state["mu_product"]
                # torch multiplies the 0-d scalar-dtype tensor by the Python float mu
                mp.data = (mp.data * np.asarray(mu, mp.data.dtype)).astype(mp.data.dtype)
                prod = float(mp.data)
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.data = lerp(m.data, g, 1 - b1)
                v.data = fma((1 - b2) * g, g, v.data * b2)
                denom = xp.sqrt(v.data / bc2) + eps
                data = data + (-lr * (1.0 - mu) / (1.0 - prod)) * g / denom
                data = data + ((-lr * mu_next) / (1.0 - prod * mu_next)) * m.data / denom
                _set(p, data)
        return loss
