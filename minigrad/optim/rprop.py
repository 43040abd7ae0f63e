"""Rprop (torch.optim.Rprop, same update formulas, state names and errors).

    g = grad (negated when maximize);  s = sign(g * g_prev)            (state 'prev')
    eta = etaplus where s > 0, etaminus where s < 0, 1 where s = 0
    step = clamp(step * eta, step_size_min, step_size_max)     (state 'step_size', starts at lr)
    g = 0 where eta == etaminus (a sign change: that entry does not move this step)
    p = p - sign(g) * step;  g_prev = g
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import bump, check_flags, check_group_flags, params_with_grad, scalar, scalar_lr
from .optimizer import Optimizer, _set


class Rprop(Optimizer):
    """Resilient backpropagation (matches torch.optim.Rprop)."""

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_flags("Rprop", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "etas": etas, "step_sizes": step_sizes,
                                  "foreach": foreach, "maximize": maximize,
                                  "differentiable": differentiable,
                                  "capturable": capturable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["prev"] = Tensor._make(xp.zeros_like(p.data))
        state["step_size"] = Tensor._make(xp.full_like(p.data, group["lr"]))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("Rprop", group)
            etaminus, etaplus = group["etas"]
            smin, smax = group["step_sizes"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                prev, step_size = state["prev"], state["step_size"]
                sign = xp.sign(g * prev.data)
                factor = xp.where(sign > 0, xp.asarray(etaplus, g.dtype),
                                  xp.where(sign < 0, xp.asarray(etaminus, g.dtype),
                                           xp.asarray(1, g.dtype)))
                # torch writes the factors into the sign tensor (the gradient's dtype)
                factor = factor.astype(g.dtype)
                step_size.data = xp.clip(step_size.data * factor, smin, smax) \
                    .astype(step_size.data.dtype)
                g = xp.where(factor == xp.asarray(etaminus, g.dtype).astype(g.dtype), 0, g) \
                    .astype(g.dtype)
                _set(p, p.data - xp.sign(g) * step_size.data)
                prev.data = g.copy()
        return loss
