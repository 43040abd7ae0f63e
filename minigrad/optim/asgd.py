"""ASGD, averaged SGD (torch.optim.ASGD, same update formulas, state names and errors).

    t = step count;  g = grad (negated when maximize) + weight_decay * p
    p = p * (1 - lambd * eta) - eta * g                  (state 'eta', starts at lr)
    ax = p when mu == 1, else ax + mu * (p - ax)         (state 'ax', the average; 'mu')
    eta = lr / (1 + lambd * lr * t)^alpha;   mu = 1 / max(1, t - t0)
eta and mu are 0-d tensors of the scalar dtype (float32 unless the default dtype is float64),
so they are rounded to it each step, as in torch (whose new values pass through a tensor of
the default dtype even once load_state_dict has made them float64).
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module, get_default_dtype
from ..tensor import Tensor
from .common import bump, check_flags, check_group_flags, fma, params_with_grad, scalar, scalar_lr
from .optimizer import Optimizer, _set


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (matches torch.optim.ASGD)."""

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach=None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_flags("ASGD", foreach, None, capturable, differentiable)
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                                  "weight_decay": weight_decay, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {}
        state["step"] = scalar(p, 0.0)
        state["eta"] = scalar(p, group["lr"])
        state["mu"] = scalar(p, 1.0)
        state["ax"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("ASGD", group)
            lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
            wd = group["weight_decay"]
            for p, g, state in params_with_grad(self, group):
                bump(state["step"])
                if wd != 0:
                    g = fma(wd, p.data, g)
                eta = float(state["eta"].data)
                data = p.data * (1 - lambd * eta)
                data = fma(-eta, g, data)
                _set(p, data)
                ax = state["ax"]
                if float(state["mu"].data) != 1:
                    ax.data = ax.data + (p.data - ax.data) * float(state["mu"].data)
                else:
                    ax.data = p.data.copy()
                t = float(state["step"].data)
                # copied into the existing 0-d tensors: they keep their dtype (float64 after
                # a load_state_dict casts them to a float64 parameter's dtype, as in torch)
                _fill(state["eta"], lr / ((1 + lambd * lr * t) ** alpha))
                _fill(state["mu"], 1 / max(1, t - t0))
        return loss


def _fill(t: Tensor, value: float):
    """torch's eta.copy_(torch.as_tensor(value)): the Python float becomes a tensor of the
    default dtype first, then takes t's dtype."""
    xp = array_module(t.data)
    t.data = xp.asarray(value, dtype=get_default_dtype()).astype(t.data.dtype).reshape(())
