"""Adam and AdamW (torch.optim.Adam / AdamW: same update, rounding order, state and errors).

    t = step count (state 'step', a 0-d float32 tensor as in torch)
    g = grad (negated when maximize)
    weight_decay: p = p * (1 - lr * wd) if decoupled (AdamW) else g = g + wd * p
    m = lerp(m, g, 1 - b1);  v = b2 * v + (1 - b2) * g * g     ('exp_avg', 'exp_avg_sq')
    amsgrad: vmax = max(vmax, v) and vmax replaces v below       ('max_exp_avg_sq')
    p = p + (-lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import (bump, check_adam_args, check_flags, check_group_flags, fma, lerp,
                     params_with_grad, scalar, scalar_lr)
from .optimizer import Optimizer, _set


def _check_betas(name: str, betas, foreach, capturable):
    """torch's rules for betas: both floats or both 1-element Tensors. Tensor betas change
    the dtype the step is computed in, which minigrad does not reproduce: refused."""
    b1, b2 = betas
    if not ((isinstance(b1, float) and isinstance(b2, float))
            or (isinstance(b1, Tensor) and isinstance(b2, Tensor))):
        raise ValueError("betas must be either both floats or both Tensors")
    if isinstance(b1, Tensor):
        for i, b in enumerate(betas):
            if not capturable and foreach:
                raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                 "capturable=False and foreach=True")
            if b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        raise TypeError(f"{name}: minigrad takes betas as Python floats; Tensor betas make "
                        "torch compute parts of the step in their dtype, which minigrad "
                        "does not reproduce")


class Adam(Optimizer):
    """Adam (matches torch.optim.Adam, including its single-rounding lerp and addcmul);
    decoupled_weight_decay=True gives AdamW. See the module docstring for the update.
    lr may be a Python float or a 1-element float64 Tensor (kept in the group, as torch)."""

    _name = "Adam"

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused=None, decoupled_weight_decay: bool = False):
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and "
                             "foreach=True")
        check_adam_args(scalar_lr(lr), eps, betas, weight_decay)
        _check_betas(self._name, betas, foreach, capturable)
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable,
                                  "fused": fused,
                                  "decoupled_weight_decay": decoupled_weight_decay})
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        check_flags(self._name, foreach, fused, capturable, differentiable)

    def _new_state(self, p, group) -> dict:
        xp = array_module(p.data)
        state = {"step": scalar(p, 0.0), "exp_avg": Tensor._make(xp.zeros_like(p.data)),
                 "exp_avg_sq": Tensor._make(xp.zeros_like(p.data))}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(xp.zeros_like(p.data))
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags(self._name, group)
            lr, (b1, b2), eps = scalar_lr(group["lr"]), group["betas"], group["eps"]
            wd, amsgrad = group["weight_decay"], group["amsgrad"]
            for p, g, state in params_with_grad(self, group):
                xp = array_module(p.data)
                bump(state["step"])
                t = float(state["step"].data)
                data = p.data
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        data = data * (1 - lr * wd)              # torch's param.mul_
                    else:
                        g = fma(wd, data, g)                     # grad.add(p, alpha=wd)
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.data = lerp(m.data, g, 1 - b1)
                v.data = fma((1 - b2) * g, g, v.data * b2)       # mul_(b2).addcmul_
                if amsgrad:
                    vmax = state["max_exp_avg_sq"]
                    vmax.data = xp.maximum(vmax.data, v.data)
                    v_hat = vmax.data
                else:
                    v_hat = v.data
                step_size = lr / (1 - b1 ** t)
                denom = xp.sqrt(v_hat) / (1 - b2 ** t) ** 0.5 + eps
                _set(p, data + -step_size * m.data / denom)      # addcdiv_(value=-step)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay, default weight_decay=1e-2 (matches
    torch.optim.AdamW): p = p * (1 - lr * wd) before the Adam step."""

    _name = "AdamW"

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
