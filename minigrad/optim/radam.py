"""RAdam (torch.optim.RAdam, same update formulas, state names and errors).

    t = step count;  g = grad (negated when maximize)
    weight_decay: p = p * (1 - lr * wd) if decoupled_weight_decay else g = g + wd * p
    m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g^2
    m_hat = m / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                p = p - lr * m_hat * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
    otherwise:  p = p - lr * m_hat
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import (bump, check_adam_args, check_flags, check_group_flags, fma, lerp,
                     params_with_grad, scalar, scalar_lr)
from .optimizer import Optimizer, _set


class RAdam(Optimizer):
    """Rectified Adam (matches torch.optim.RAdam)."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        lr = scalar_lr(lr)
        check_adam_args(lr, eps, betas, weight_decay)
        check_flags("RAdam", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  "foreach": foreach, "capturable": capturable,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "differentiable": differentiable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["exp_avg"] = Tensor._make(xp.zeros_like(p.data))
        state["exp_avg_sq"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("RAdam", group)
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], \
                group["weight_decay"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                t = float(state["step"].data)
                data = p.data
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        data = data * (1 - lr * wd)
                    else:
                        g = fma(wd, data, g)
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.data = lerp(m.data, g, 1 - b1)
                v.data = fma((1 - b2) * g, g, v.data * b2)
                bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                m_hat = m.data / bc1
                rho_inf = 2 / (1 - b2) - 1
                rho_t = rho_inf - 2 * t * (b2 ** t) / bc2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive = (bc2 ** 0.5) / (xp.sqrt(v.data) + eps)
                    _set(p, data - m_hat * lr * adaptive * rect)
                else:
                    _set(p, data - m_hat * lr)
        return loss
