"""torch.nn.utils.clip_grad: the total norm of many gradients, and clipping them in place.

    get_total_norm(tensors, p)          ||(||t_1||_p, ..., ||t_n||_p)||_p, the p-norm of all
                                        elements together (p may be inf)
    clip_grads_with_norm_(ps, m, n)     g *= min(m / (n + 1e-6), 1) for every gradient
    clip_grad_norm_ = the two in a row; clip_grad_value_ clamps to [-v, v].

foreach only picks torch's kernel (a fused loop or one call per tensor); both give the same
numbers, so minigrad accepts it and runs one path.
"""
from __future__ import annotations

import types
import warnings

from ...autograd import no_grad
from ...tensor import Tensor
from ._checks import naming, need_tensors


def _tensor_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The norm of the tensors' norms, i.e. of all their elements viewed as one vector
    (matches torch.nn.utils.get_total_norm; an empty list gives tensor(0.))."""
    from ... import creation
    from ...linalg import vector_norm
    from ...ops.shape import stack
    tensors = need_tensors("get_total_norm", _tensor_list(tensors), "tensors")
    with naming("get_total_norm"):
        norm_type = float(norm_type)
    if len(tensors) == 0:
        return creation.tensor(0.0)
    with no_grad(), naming("get_total_norm"):
        first_device = tensors[0].device
        norms = [vector_norm(t, norm_type) for t in tensors]
        total = vector_norm(stack([n.to(first_device) for n in norms]), norm_type)
    if error_if_nonfinite and bool(total.isnan() | total.isinf()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale every gradient in place by min(max_norm / (total_norm + 1e-6), 1) (matches
    torch.nn.utils.clip_grads_with_norm_; total_norm is usually get_total_norm's)."""
    from ...ops.compare import clamp
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    if len(grads) == 0:
        return
    with no_grad(), naming("clip_grads_with_norm_"):
        coef = clamp(max_norm / (total_norm + 1e-6), max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device))


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients in place so that their joint norm is at most max_norm; returns the
    total norm before clipping (matches torch.nn.utils.clip_grad_norm_).
    coef = min(1, max_norm / (total_norm + 1e-6)); norm_type may be float('inf')."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                          "occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of clip_grad_norm_, with torch's FutureWarning (matches
    torch.nn.utils.clip_grad_norm)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] in place (matches
    torch.nn.utils.clip_grad_value_)."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensor_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
