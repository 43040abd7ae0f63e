"""Checking gradients: gradcheck, gradgradcheck (central differences in float64), assert_close.

gradcheck(fn, inputs) compares every analytic gradient d(sum(out * v))/d(input) for a fixed
random v against central differences, and raises an error naming the input and the worst
element when they differ.
"""
from __future__ import annotations

import numpy as np

from . import autograd
from .tensor import Tensor


class GradcheckError(AssertionError):
    pass


def to_numpy(x):
    """Host NumPy copy of a minigrad tensor, NumPy/CuPy array, torch tensor or number."""
    if isinstance(x, Tensor):
        return np.asarray(x.numpy())
    if hasattr(x, "detach") and hasattr(x, "cpu"):          # torch.Tensor, without importing torch
        return x.detach().cpu().numpy()
    if hasattr(x, "get"):                                   # cupy.ndarray
        return x.get()
    return np.asarray(x)


def assert_close(actual, expected, rtol=1e-7, atol=1e-7, msg=""):
    """Elementwise |a - e| <= atol + rtol |e| (NaNs must match); shapes must be equal."""
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{msg}shape mismatch: {a.shape} vs {e.shape}")
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    same_nan = np.isnan(a64) == np.isnan(e64)
    err = np.abs(a64 - e64)
    bad = ~same_nan | (~np.isnan(e64) & ~(err <= atol + rtol * np.abs(e64)) & (a64 != e64))
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)), a.shape)
        raise AssertionError(f"{msg}{int(bad.sum())} of {a.size} elements differ; worst at index "
                             f"{tuple(int(k) for k in i)}: {a64[i]!r} vs {e64[i]!r} "
                             f"(rtol={rtol}, atol={atol})")


def _outputs(fn, inputs):
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _numerical(fn, inputs, k, weights, eps):
    """Central difference of sum(out * w) with respect to inputs[k]."""
    x = inputs[k]
    flat = x.data.reshape(-1)
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        old = flat[i].item()
        flat[i] = old + eps
        plus = sum(float((o.detach() * w).sum().item()) for o, w in zip(_outputs(fn, inputs), weights))
        flat[i] = old - eps
        minus = sum(float((o.detach() * w).sum().item()) for o, w in zip(_outputs(fn, inputs), weights))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """True if analytic and numerical gradients of fn agree for every float64 input.

    `inputs` are tensors (those with requires_grad are checked) or a single tensor.
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            raise GradcheckError(f"gradcheck: inputs[{k}] is {x.dtype}; use float64 inputs")
    checked = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(seed)
    weights = [Tensor._make(rng.standard_normal(o.shape)) for o in outs]
    diff_outs = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
    if not diff_outs:
        raise GradcheckError("gradcheck: no output requires grad")
    grads = autograd.grad([o for o, _ in diff_outs], [inputs[k] for k in checked],
                          [w for _, w in diff_outs], allow_unused=True)
    for k, g in zip(checked, grads):
        num = _numerical(fn, inputs, k, weights, eps)
        ana = np.zeros(inputs[k].shape) if g is None else to_numpy(g)
        err = np.abs(ana - num)
        bad = err > atol + rtol * np.abs(num)
        if bad.any():
            i = np.unravel_index(np.argmax(err), err.shape)
            raise GradcheckError(
                f"gradcheck: gradient of inputs[{k}] (shape {inputs[k].shape}) differs at index "
                f"{tuple(int(v) for v in i)}: analytic {ana[i]!r}, numerical {num[i]!r} "
                f"({int(bad.sum())} of {bad.size} elements out of tolerance)")
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=1):
    """gradcheck applied to the first derivative (built with create_graph=True)."""
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    rng = np.random.default_rng(seed)
    outs = _outputs(fn, inputs)
    weights = [Tensor._make(rng.standard_normal(o.shape)) for o in outs]

    def first_derivative(*xs):
        res = [o for o in _outputs(fn, xs) if o.requires_grad]
        ws = [w for o, w in zip(_outputs(fn, xs), weights) if o.requires_grad]
        grads = autograd.grad(res, [xs[k] for k in checked], ws, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs, eps, atol, rtol, seed)
