"""Elementwise binary and ternary math: lerp, addcmul, addcdiv, xlogy, logaddexp(2), hypot,
atan2, rsub, clamp_min/clamp_max and nan_to_num (torch's names and dtype rules).

Operands are promoted as in every binary op (minigrad.dtypes) and the math runs in the
result dtype; float math on bool/int operands runs in the default float dtype where torch's
does (xlogy, atan2). Each backward is written with differentiable ops: double backward works.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module, get_default_dtype
from ..dtypes import result_type
from .arith import _cast, _grad, _shape, torch_name
from .compare import clamp, need_tensor, where


def _xp(*xs):
    """The array module of the first operand that is an array (not a NumPy scalar)."""
    for x in xs:
        if _shape(x) is not None and not isinstance(x, np.generic):
            return array_module(x)
    return np


def _broadcast(op, *xs):
    """The broadcast shape of the array operands, or torch's RuntimeError naming op."""
    shapes = [np.shape(x) for x in xs if _shape(x) is not None]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"{op}: shapes {', '.join(map(str, shapes))} are not "
                           "broadcastable") from None


def _float_only(dt, kernel):
    if dt.kind != "f":
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{torch_name(dt)}\'')


def _to_float(dt):
    return dt if dt.kind == "f" else get_default_dtype()


def _opmath(dt):
    """The dtype torch's kernels compute in: float32 for float16 (rounded once at the end)."""
    return np.dtype(np.float32) if dt == np.float16 else dt


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


def _number(fn, name, v, kinds=(bool, int, float)):
    if not isinstance(v, kinds) and not isinstance(v, (np.integer, np.floating, np.bool_)):
        raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(v).__name__}")


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


# ---- two-operand float math ---------------------------------------------------------------
class Xlogy(Op):
    """x * log(y), 0 where x == 0 (unless y is nan)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.shapes = _shape(x), _shape(y)
        ctx.save_for_backward(x, y)
        dt = _to_float(result_type(x, y))
        x, y = _cast(x, dt), _cast(y, dt)   # (torch's float16 xlogy rounds log(y) too)
        xp = _xp(x, y)
        _broadcast("xlogy", x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y))
        return out.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # dx = xlogy(g, y), 0 where x == 0 and y <= 0
        sx, sy = ctx.shapes                 # dy = g x / y
        gx = gy = None
        if ctx.needs_input_grad[0]:
            xs, ys = _array(x), _array(y)
            off = wrap(_xp(xs, ys).asarray((xs == 0) & (ys <= 0)))
            gx = _grad(where(off, 0.0, Xlogy.apply(g, y)), sx)
        if ctx.needs_input_grad[1]:
            gy = _grad(g * x / y, sy)
        return gx, gy


def _array(x):
    return x.data if hasattr(x, "grad_fn") else x


def xlogy(input, other):
    """input * log(other), 0 where input == 0 (torch.xlogy); either may be a number."""
    from ..tensor import Tensor  # lazy: tensor.py imports the ops
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        need_tensor("xlogy", input, "input", 1)
    for k, v in enumerate((input, other)):
        if not isinstance(v, Tensor):
            _number("xlogy", ("self", "other")[k], v)
    return Xlogy.apply(input, other)


class _TwoFloat(Op):
    """A float-only op of two tensors: forward math(xp, a, b), gradients in backward."""
    name = ""

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        dt = result_type(a, b)
        if not cls.int_to_float:
            _float_only(dt, cls.name)
        dt = _to_float(dt)
        x, y = _cast(a, _opmath(dt)), _cast(b, _opmath(dt))
        _broadcast(cls.name, x, y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = cls.math(array_module(x), x, y).astype(dt, copy=False)
        ctx.save_for_backward(a, b, out)    # the inputs themselves: double backward reaches them
        return out


class LogAddExp(_TwoFloat):
    name, int_to_float = "logaddexp", False

    @staticmethod
    def math(xp, a, b):
        return xp.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, _ = ctx.saved_tensors         # da = g / (1 + exp(b - a)), db likewise
        sa, sb = ctx.shapes
        ga = _grad(g / (1 + (b - a).exp()), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g / (1 + (a - b).exp()), sb) if ctx.needs_input_grad[1] else None
        return ga, gb


class LogAddExp2(_TwoFloat):
    name, int_to_float = "logaddexp2", False

    @staticmethod
    def math(xp, a, b):
        return xp.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, _ = ctx.saved_tensors         # da = g / (1 + 2^(b - a)), db likewise
        sa, sb = ctx.shapes
        ga = _grad(g / (1 + 2 ** (b - a)), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g / (1 + 2 ** (a - b)), sb) if ctx.needs_input_grad[1] else None
        return ga, gb


class Hypot(_TwoFloat):
    name, int_to_float = "hypot", False

    @staticmethod
    def math(xp, a, b):
        return xp.hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors       # da = g a / out;  db = g b / out
        sa, sb = ctx.shapes
        ga = _grad(g * a / out, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g * b / out, sb) if ctx.needs_input_grad[1] else None
        return ga, gb


class Atan2(_TwoFloat):
    name, int_to_float = "atan2", True

    @staticmethod
    def math(xp, a, b):
        return xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, _ = ctx.saved_tensors         # da = g b / (a^2 + b^2);  db = -g a / (a^2 + b^2)
        sa, sb = ctx.shapes
        r2 = a * a + b * b
        zero = wrap(r2.data == 0)           # torch: 0 where a = b = 0 (1/r2 is inf)
        recip = where(zero, 0.0, 1 / where(zero, 1.0, r2))
        ga = _grad(g * b * recip, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(-g * a * recip, sb) if ctx.needs_input_grad[1] else None
        return ga, gb


def _two_tensors(fn, input, other):
    need_tensor(fn, input, "input", 1)
    need_tensor(fn, other, "other", 2)


def logaddexp(input, other):
    """log(exp(input) + exp(other)) without overflow; floating tensors (torch.logaddexp)."""
    _two_tensors("logaddexp", input, other)
    return LogAddExp.apply(input, other)


def logaddexp2(input, other):
    """log2(2^input + 2^other) without overflow; floating tensors (torch.logaddexp2)."""
    _two_tensors("logaddexp2", input, other)
    return LogAddExp2.apply(input, other)


def hypot(input, other):
    """sqrt(input^2 + other^2) elementwise; floating tensors (torch.hypot)."""
    _two_tensors("hypot", input, other)
    return Hypot.apply(input, other)


def atan2(input, other):
    """The angle of (other, input) in (-pi, pi]; ints give the default float (torch.atan2)."""
    _two_tensors("atan2", input, other)
    return Atan2.apply(input, other)


arctan2 = atan2


# ---- rsub, clamp_min/clamp_max, nan_to_num ------------------------------------------------
def rsub(input, other, *args, alpha=1):
    """other - alpha * input (torch.rsub): sub with the operands swapped. As torch's, alpha
    may be passed by position only when other is a number."""
    from .functional import sub
    need_tensor("rsub", input, "input", 1)
    if args:
        if len(args) > 1 or hasattr(other, "dtype") and not isinstance(other, np.generic) \
                or alpha != 1:
            raise TypeError("rsub(): takes (Tensor input, Tensor other, *, Number alpha) or "
                            "(Tensor input, Number other, Number alpha)")
        alpha = args[0]
    return sub(other, input, alpha=alpha)


def _clamp_bound(fn, input, bound, name):
    need_tensor(fn, input, "input", 1)
    if bound is None:
        raise TypeError(f"{fn}(): argument '{name}' must be a Number or a Tensor, not None")
    if getattr(bound, "ndim", None) is None and result_type(input, bound).kind == "b":
        raise NotImplementedError(f'"{fn}_scalar_cpu" not implemented for \'Bool\'')


def clamp_min(input, min):
    """max(input, min), min a number or a tensor (torch.clamp_min)."""
    _clamp_bound("clamp_min", input, min, "min")
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(input, max), max a number or a tensor (torch.clamp_max)."""
    _clamp_bound("clamp_max", input, max, "max")
    return clamp(input, max=max)


class NanToNum(Op):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = array_module(x)
        ctx.finite = xp.isfinite(x)
        info = np.finfo(x.dtype)
        fill = [x.dtype.type(v) for v in          # NumPy scalars: CuPy takes them too
                (nan, info.max if posinf is None else posinf,
                 info.min if neginf is None else neginf)]
        out = xp.where(xp.isnan(x), fill[0], x)
        out = xp.where(xp.isposinf(x), fill[1], out)
        return xp.where(xp.isneginf(x), fill[2], out).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):                   # dx = g where x is finite, else 0
        return g * wrap(ctx.finite.astype(g.dtype)), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> nan, +inf -> posinf, -inf -> neginf (defaults: 0 and the dtype's largest and
    lowest finite values); integer and bool tensors come back as copies (torch.nan_to_num)."""
    need_tensor("nan_to_num", input, "input", 1)
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None:
            _number("nan_to_num", name, v)
    if input.dtype.kind != "f":
        return input.clone()
    with np.errstate(over="ignore"):
        return NanToNum.apply(input, 0.0 if nan is None else float(nan),
                              None if posinf is None else float(posinf),
                              None if neginf is None else float(neginf))
