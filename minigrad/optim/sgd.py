"""SGD with momentum, dampening, weight decay and Nesterov momentum (torch.optim.SGD: same
update, single-rounding add(alpha=) steps, state 'momentum_buffer' and errors)."""
from __future__ import annotations

from ..autograd import no_grad
from ..tensor import Tensor
from .common import check_flags, check_group_flags, fma
from .optimizer import Optimizer, _set


class SGD(Optimizer):
    """Stochastic gradient descent (matches torch.optim.SGD):
        g = grad (negated when maximize) + weight_decay * p
        b = momentum * b + (1 - dampening) * g     (b = g on the first step)
        g = g + momentum * b if nesterov else b
        p = p - lr * g
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if _sgd_lr(lr) < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize, "foreach": foreach,
                                  "differentiable": differentiable, "fused": fused})
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        check_flags("SGD", foreach, fused, False, differentiable)

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            check_group_flags("SGD", group)
            lr, mom, damp = _sgd_lr(group["lr"]), group["momentum"], group["dampening"]
            wd, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = -p.grad.data if group["maximize"] else p.grad.data
                if wd != 0:
                    g = fma(wd, p.data, g)                       # grad.add(p, alpha=wd)
                if mom != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._make(g.copy())
                    else:
                        buf.data = fma(1 - damp, g, buf.data * mom)
                    g = fma(mom, buf.data, g) if nesterov else buf.data
                _set(p, fma(-lr, g, p.data))                     # p.add_(g, alpha=-lr)
        return loss


def _sgd_lr(lr):
    """torch's SGD reads a Tensor lr (kept as is in the group, for the schedulers to fill)
    only as add_'s alpha: its value, whatever its dtype."""
    return float(lr.item()) if isinstance(lr, Tensor) else lr
