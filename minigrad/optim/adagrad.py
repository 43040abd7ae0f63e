"""Adagrad (torch.optim.Adagrad, same update formulas, state names and errors).

    t = step count;  g = grad (negated when maximize) + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s = s + g^2                     (state 'sum', starting at initial_accumulator_value)
    p = p - clr * g / (sqrt(s) + eps)
As in torch, the state is created at construction for every parameter, filled with the
constructor's initial_accumulator_value (a param group's own value is not used).
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import bump, check_flags, check_group_flags, fma, scalar, scalar_lr
from .optimizer import Optimizer, _set


class Adagrad(Optimizer):
    """Adagrad (matches torch.optim.Adagrad; see the module docstring for the update)."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_flags("Adagrad", foreach, fused, False, differentiable)
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                                  "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "foreach": foreach, "maximize": maximize,
                                  "differentiable": differentiable, "fused": fused})
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._new_state(p, initial_accumulator_value)

    @staticmethod
    def _new_state(p, init):
        xp = array_module(p.data)
        return {"step": scalar(p, 0.0), "sum": Tensor._make(xp.full_like(p.data, init))}

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("Adagrad", group)
            lr, lr_decay, eps, wd = group["lr"], group["lr_decay"], group["eps"], \
                group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = array_module(p.data)
                state = self.state.setdefault(p, {})
                if not state:
                    state.update(self._new_state(p, self.defaults["initial_accumulator_value"]))
                bump(state["step"])
                t = float(state["step"].data)
                g = -p.grad.data if group["maximize"] else p.grad.data
                if wd != 0:
                    g = fma(wd, p.data, g)
                clr = lr / (1 + (t - 1) * lr_decay)
                s = state["sum"]
                s.data = fma(g, g, s.data)
                std = xp.sqrt(s.data) + eps
                _set(p, p.data + -clr * g / std)
        return loss
