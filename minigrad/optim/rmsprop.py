"""RMSprop (torch.optim.RMSprop, same update formulas, state names and errors).

    g = grad (negated when maximize) + weight_decay * p
    v = alpha * v + (1 - alpha) * g^2                           (state 'square_avg')
    centered:  a = a + (1 - alpha) * (g - a);  s = sqrt(v - a^2) + eps   ('grad_avg')
    otherwise: s = sqrt(v) + eps
    momentum > 0:  b = momentum * b + g / s;  p = p - lr * b      ('momentum_buffer')
    otherwise:     p = p - lr * g / s
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import (bump, check_flags, check_group_flags, fma, lerp, params_with_grad, scalar,
                     scalar_lr)
from .optimizer import Optimizer, _set


class RMSprop(Optimizer):
    """RMSprop (matches torch.optim.RMSprop; see the module docstring for the update)."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        check_flags("RMSprop", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                                  "centered": centered, "weight_decay": weight_decay,
                                  "capturable": capturable, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["square_avg"] = Tensor._make(xp.zeros_like(p.data))
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor._make(xp.zeros_like(p.data))
        if group["centered"]:
            state["grad_avg"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("RMSprop", group)
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            wd, mom, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                if wd != 0:
                    g = fma(wd, p.data, g)
                v = state["square_avg"]
                v.data = fma((1 - alpha) * g, g, v.data * alpha)
                if centered:
                    a = state["grad_avg"]
                    a.data = lerp(a.data, g, 1 - alpha)
                    avg = xp.sqrt(fma(-a.data, a.data, v.data))
                else:
                    avg = xp.sqrt(v.data)
                avg = avg + eps
                if mom > 0:
                    b = state["momentum_buffer"]
                    b.data = b.data * mom + g / avg
                    _set(p, fma(-lr, b.data, p.data))
                else:
                    _set(p, p.data + -lr * g / avg)
        return loss
