"""Helpers shared by the optimizers: torch's implementation flags and scalar state tensors."""
from __future__ import annotations

from .. import backend
from ..backend import array_module
from ..tensor import Tensor


def check_flags(name: str, foreach=None, fused=None, capturable=False, differentiable=False):
    """minigrad runs one single-tensor loop: foreach (same math) is accepted; the options that
    change how the step runs (fused kernels, CUDA-graph capture, differentiable steps) are
    refused rather than silently ignored."""
    if fused:
        raise RuntimeError(f"{name}: fused=True is not supported by minigrad (no fused kernels)")
    if capturable:
        raise RuntimeError(f"{name}: capturable=True is not supported by minigrad "
                           "(no CUDA graph capture)")
    if differentiable:
        raise RuntimeError(f"{name}: differentiable=True is not supported by minigrad "
                           "(optimizer steps run under no_grad)")


def check_group_flags(name: str, group: dict):
    """The same check on a group's own options (a param group may override the defaults)."""
    check_flags(name, group.get("foreach"), group.get("fused"), group.get("capturable", False),
                group.get("differentiable", False))


def scalar_dtype():
    """torch's _get_scalar_dtype: float64 when the default dtype is float64, else float32."""
    d = backend.get_default_dtype()
    return backend.float64 if d == backend.float64 else backend.float32


def scalar(p, value) -> Tensor:
    """A 0-d state tensor (step, eta, mu, ...) of the scalar dtype on p's device."""
    xp = array_module(p.data)
    return Tensor._make(xp.asarray(value, dtype=scalar_dtype()).reshape(()).copy())


def bump(t: Tensor, by=1):
    """t += by, kept in t's dtype (as torch's in-place step_t += 1)."""
    t.data = (t.data + by).astype(t.data.dtype)


def fma(a, x, y):
    """a * x + y rounded once, as torch's CPU kernels compute add(alpha=), addcmul and lerp
    (fused multiply-add in their vectorized loops). float64: Dekker's exact product and
    Knuth's two-sum (exact but for rare double roundings); narrower dtypes: through float64."""
    xp = array_module(x)
    dt = x.dtype
    if dt != xp.float64:
        a = xp.asarray(a, dtype=dt).astype(xp.float64)
        return (a * x.astype(xp.float64) + y.astype(xp.float64)).astype(dt)
    p = a * x
    c = 134217729.0                                       # 2^27 + 1 splits a double
    t1, t2 = c * a, c * x
    ah, xh = t1 - (t1 - a), t2 - (t2 - x)
    al, xl = a - ah, x - xh
    e = ((ah * xh - p) + ah * xl + al * xh) + al * xl     # p + e == a * x exactly
    s = p + y
    bb = s - p
    err = (p - (s - bb)) + (y - bb)                       # s + err == p + y exactly
    r = s + (err + e)
    return xp.where(xp.isfinite(r), r, s)                 # overflow in the split: plain


def lerp(a, b, w: float):
    """torch.lerp's formula: a + w (b - a) for |w| < 0.5, else b - (b - a)(1 - w), each
    rounded once (fused multiply-add)."""
    return fma(w, b - a, a) if abs(w) < 0.5 else fma(w - 1, b - a, b)


def scalar_lr(lr):
    """torch accepts a 1-element Tensor lr and then computes some step quantities (such as
    lr / bias_correction) as 0-d tensors of lr's dtype. minigrad takes the value as a Python
    float, which is the same arithmetic only for a float64 lr; other dtypes are refused."""
    if isinstance(lr, Tensor):
        if lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr.data.dtype != backend.float64:
            raise TypeError(f"minigrad optimizers take lr as a Python float or a float64 "
                            f"Tensor, got a {lr.dtype} Tensor: torch computes parts of the step "
                            "in lr's dtype, which minigrad does not reproduce")
        return float(lr.item())
    return lr


def check_adam_args(lr, eps, betas, weight_decay):
    """torch's checks of the Adam family's arguments (Adamax, NAdam, RAdam)."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def params_with_grad(opt, group: dict):
    """(p, g, state) for each parameter of `group` that has a .grad, as torch's _init_group:
    g is the gradient array, negated under maximize; a new parameter's state is filled by
    opt._new_state(p, group) on its first step."""
    for p in group["params"]:
        if p.grad is None:
            continue
        state = opt.state.setdefault(p, {})
        if not state:
            state.update(opt._new_state(p, group))
        yield p, (-p.grad.data if group.get("maximize") else p.grad.data), state
