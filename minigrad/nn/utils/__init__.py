"""nn.utils: gradient clipping and parameter/vector conversion (torch.nn.utils)."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...tensor import Tensor


def _params(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients in place so that their joint norm is at most max_norm; returns the
    total norm before clipping (matches torch.nn.utils.clip_grad_norm_).

    coef = min(1, max_norm / (total_norm + 1e-6)); norm_type may be float('inf').
    """
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._make(np.zeros((), np.float32))
    xp = backend.array_module(grads[0].data)
    # the norm of the per-tensor norms equals the norm of all elements together
    norms = xp.stack([xp.linalg.norm(g.data.ravel(), ord=norm_type) for g in grads])
    total = xp.linalg.norm(norms, ord=norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} for "
                           "gradients from `parameters` is non-finite, so it cannot be clipped."
                           " Set error_if_nonfinite=False to disable this error")
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        g.data = g.data * g.data.dtype.type(coef)
    return Tensor._make(xp.asarray(total, grads[0].dtype))


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] in place (torch's)."""
    for p in _params(parameters):
        if p.grad is not None:
            xp = backend.array_module(p.grad.data)
            p.grad.data = xp.clip(p.grad.data, -clip_value, clip_value)


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and concatenated (torch.nn.utils.parameters_to_vector)."""
    from ...ops.shape import cat
    return cat([p.reshape(-1) for p in _params(parameters)])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of vec into the parameters, in place (torch's)."""
    params = _params(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise RuntimeError(f"vector_to_parameters: expected a 1-D vector of {total} elements, "
                           f"got shape {tuple(vec.shape)}")
    start = 0
    for p in params:
        n = p.numel()
        p.data = vec.data[start:start + n].reshape(p.shape).astype(p.dtype, copy=True)
        start += n


# ---- issue 15: norm ----
from . import parametrizations, parametrize  # noqa: E402,F401

# ---- issue 15: seq ----
from . import rnn  # noqa: E402,F401
