"""Adadelta (torch.optim.Adadelta, same update formulas, state names and errors).

    g = grad (negated when maximize) + weight_decay * p
    v = rho * v + (1 - rho) * g^2                                 (state 'square_avg')
    d = sqrt(u + eps) / sqrt(v + eps) * g
    u = rho * u + (1 - rho) * d^2                                 (state 'acc_delta')
    p = p - lr * d
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import bump, check_flags, check_group_flags, fma, params_with_grad, scalar, scalar_lr
from .optimizer import Optimizer, _set


class Adadelta(Optimizer):
    """Adadelta (matches torch.optim.Adadelta)."""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_flags("Adadelta", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  "capturable": capturable, "foreach": foreach,
                                  "differentiable": differentiable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["square_avg"] = Tensor._make(xp.zeros_like(p.data))
        state["acc_delta"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("Adadelta", group)
            lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                if wd != 0:
                    g = fma(wd, p.data, g)
                v, u = state["square_avg"], state["acc_delta"]
                v.data = fma((1 - rho) * g, g, v.data * rho)
                std = xp.sqrt(v.data + eps)
                delta = xp.sqrt(u.data + eps) / std * g
                u.data = fma((1 - rho) * delta, delta, u.data * rho)
                _set(p, fma(-lr, delta, p.data))
        return loss
