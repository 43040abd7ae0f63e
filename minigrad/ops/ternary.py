"""Elementwise ternary math: lerp, addcmul and addcdiv (torch's names and dtype rules).

Operands are promoted as in every binary op (a tensor weight of lerp too); float16 math runs
in float32 and rounds once, and lerp and addcmul round a * b + c once, as torch's kernels
(compiled with fused multiply-add) do. Backwards are written with differentiable ops.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..dtypes import result_type
from ..forward_ad import tangent_sum
from .arith import _cast, _grad, _shape, torch_name
from .binary_math import _broadcast, _number, _opmath, _xp
from .compare import need_tensor


def _fma(xp, a, b, c):
    """a * b + c rounded once, as torch's kernels compiled with fused multiply-add give it.
    float32: the float64 product is exact. float64: Dekker's exact product and a two-sum."""
    dt = np.result_type(a.dtype, b.dtype, c.dtype)     # (dtypes: CuPy arrays have no __array__)
    if dt != np.float64:
        f8 = np.float64
        return (xp.asarray(a, f8) * xp.asarray(b, f8) + xp.asarray(c, f8)).astype(dt)
    with np.errstate(over="ignore", invalid="ignore"):
        p = a * b
        t = 134217729.0 * a                 # split a and b into 26-bit halves (2^27 + 1)
        ah = t - (t - a)
        t = 134217729.0 * b
        bh = t - (t - b)
        al, bl = a - ah, b - bh
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl     # a * b = p + e exactly
        s = p + c
        v = s - p
        r = (p - (s - v)) + (c - v)                             # p + c = s + r exactly
        out = s + (r + e)
        return xp.where(xp.isfinite(out), out, p + c)   # overflow in the split: plain sum


# ---- lerp -------------------------------------------------------------------------------
class Lerp(Op):
    """input + weight (end - input); torch's two-sided formula (exact at weight 0 and 1)."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.shapes = _shape(a), _shape(b), _shape(w)
        ctx.save_for_backward(a, b, w)
        dt, op = a.dtype, _opmath(a.dtype)
        _broadcast("lerp", a, b, w)
        a, b, w = _cast(a, op), _cast(b, op), _cast(w, op)
        xp = _xp(a)                         # small |w|: a + w d, else b + (w - 1) d
        small = abs(w) < 0.5
        if _shape(w) is None:               # a number: one branch of torch's formula
            coeff, base = (w, a) if small else (w - 1, b)
        else:
            coeff, base = xp.where(small, w, w - 1), xp.where(small, a, b)
        return _fma(xp, coeff, b - a, base).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors         # d = (1 - w) da + w db + (b - a) dw
        sa, sb, sw = ctx.shapes
        ga = _grad(g * (1 - w), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g * w, sb) if ctx.needs_input_grad[1] else None
        gw = _grad(g * (b - a), sw) if sw is not None and ctx.needs_input_grad[2] else None
        return ga, gb, gw

    @staticmethod
    def jvp(ctx, ta, tb, tw):               # d lerp = (1 - w) da + w db + (b - a) dw
        a, b, w = ctx.saved_tensors
        return tangent_sum(ctx, None if ta is None else ta * (1 - w),
                           None if tb is None else tb * w,
                           None if tw is None else tw * (b - a))


def lerp(input, end, weight):
    """input + weight * (end - input), broadcast; input and end (and a weight tensor with
    dims) must share one float dtype, as torch.lerp's."""
    need_tensor("lerp", input, "input", 1)
    need_tensor("lerp", end, "end", 2)
    from ..tensor import Tensor  # lazy: tensor.py imports the ops
    if not isinstance(weight, Tensor):
        _number("lerp", "weight", weight)
    for name, x in (("end", end), ("weight", weight)):
        if isinstance(x, Tensor) and x.dtype != input.dtype and (name == "end" or x.ndim):
            raise RuntimeError(f"lerp: expected dtype {_c_name(input.dtype)} for `{name}` but "
                               f"got dtype {_c_name(x.dtype)}")
    # a tensor weight takes part in promotion (a 0-d float weight makes int inputs float)
    dt = result_type(input, end, weight) if isinstance(weight, Tensor) else input.dtype
    if dt.kind != "f":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_name(dt)}\'')
    input, end = (t if t.dtype == dt else t.to(dt) for t in (input, end))
    if isinstance(weight, Tensor) and weight.dtype != dt:
        weight = weight.to(dt)
    return Lerp.apply(input, end, weight)


def _c_name(dt):
    return {"float64": "double", "float32": "float", "float16": "c10::Half",
            "int64": "long int"}.get(str(dt), str(dt))


# ---- addcmul / addcdiv ------------------------------------------------------------------
class Addcmul(Op):
    """input + value * t1 * t2 (divide=False) or input + value * t1 / t2, in the promoted
    dtype (value is cast to it, as torch's scalar is)."""

    @staticmethod
    def forward(ctx, x, t1, t2, value, divide):
        ctx.shapes = _shape(x), _shape(t1), _shape(t2)
        ctx.value, ctx.divide = value, divide
        ctx.save_for_backward(t1, t2)
        dt = result_type(x, t1, t2)
        name = "addcdiv" if divide else "addcmul"
        if dt.kind == "b":
            raise NotImplementedError(f'"{name}_cpu_out" not implemented for \'Bool\'')
        _broadcast(name, x, t1, t2)
        op = _opmath(dt)
        x, t1, t2, v = _cast(x, op), _cast(t1, op), _cast(t2, op), _cast(value, op)
        if divide:
            return (x + v * t1 / t2).astype(dt, copy=False)
        if dt.kind != "f":
            return (x + v * t1 * t2).astype(dt, copy=False)
        return _fma(_xp(x, t1, t2), v * t1, t2, x).astype(dt, copy=False)   # as torch's

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors          # dx = g;  d t1 = v g t2 (or v g / t2);  d t2 ...
        sx, s1, s2 = ctx.shapes
        gv = g * ctx.value
        if ctx.divide:                      # d t2 = -v g t1 / t2^2
            g1 = _grad(gv / t2, s1) if ctx.needs_input_grad[1] else None
            g2 = _grad(-gv * t1 / (t2 * t2), s2) if ctx.needs_input_grad[2] else None
        else:
            g1 = _grad(gv * t2, s1) if ctx.needs_input_grad[1] else None
            g2 = _grad(gv * t1, s2) if ctx.needs_input_grad[2] else None
        return _grad(g, sx), g1, g2, None, None

    @staticmethod
    def jvp(ctx, tx, tt1, tt2, *_):         # d = dx + v (dt1 t2 + t1 dt2), or
        t1, t2 = ctx.saved_tensors          #   dx + v (dt1 / t2 - t1 dt2 / t2^2) for addcdiv
        v = ctx.value
        if ctx.divide:
            d1 = None if tt1 is None else tt1 * v / t2
            d2 = None if tt2 is None else -(tt2 * v) * t1 / (t2 * t2)
        else:
            d1 = None if tt1 is None else tt1 * v * t2
            d2 = None if tt2 is None else tt2 * v * t1
        return tangent_sum(ctx, tx, d1, d2)


def _addc(fn, input, tensor1, tensor2, value, divide):
    need_tensor(fn, input, "input", 1)
    need_tensor(fn, tensor1, "tensor1", 2)
    need_tensor(fn, tensor2, "tensor2", 3)
    _number(fn, "value", value)
    dt = result_type(input, tensor1, tensor2)
    if dt.kind in "iu" and isinstance(value, float):
        value = int(value)                  # torch casts value to the integer result dtype
    return Addcmul.apply(input, tensor1, tensor2, value, divide)


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2, broadcast and promoted (torch.addcmul)."""
    return _addc("addcmul", input, tensor1, tensor2, value, False)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2 (torch.addcdiv); integer tensor1 and tensor2 raise
    as torch's do (no integer division)."""
    need_tensor("addcdiv", tensor1, "tensor1", 2)
    need_tensor("addcdiv", tensor2, "tensor2", 3)
    if tensor1.dtype.kind in "biu" and tensor2.dtype.kind in "biu":
        raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported; "
                           "use (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype)"
                           " for the old behaviour or input + value * tensor1 / tensor2")
    return _addc("addcdiv", input, tensor1, tensor2, value, True)
