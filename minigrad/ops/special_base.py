"""What the special-function ops (special_gamma.py, special_bessel.py, special_poly.py,
special_misc.py) share: torch's dtype rules for them and the scipy/cupyx switch.

- bool and integer inputs compute in the default float dtype (torch's "int to float");
- float16 computes in float32 and is rounded once at the end (torch's opmath), for the
  functions torch has a half kernel for; the others raise torch's NotImplementedError;
- scipy.special runs on NumPy arrays, cupyx.scipy.special on CuPy arrays; a function cupyx
  lacks raises a clear NotImplementedError for CUDA tensors instead of a CuPy traceback.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module, get_default_dtype
from ..dtypes import result_type
from .arith import _cast, torch_name
from .checks import need_tensor


def quiet():
    """NumPy's warnings off: out-of-domain inputs give nan/inf silently, as in torch."""
    return np.errstate(all="ignore")


def check_input(fn, input):
    """torch's TypeError for a non-Tensor input (torch.lgamma(1.5))."""
    need_tensor(fn, input, "input", 1)
    return input


def scipy_fn(x, name, op):
    """scipy.special.<name> for a NumPy array, cupyx.scipy.special.<name> for a CuPy one."""
    if array_module(x).__name__ == "numpy":
        import scipy.special as sp  # lazy: only these ops need scipy
        return getattr(sp, name)
    import cupyx.scipy.special as sp
    fn = getattr(sp, name, None)
    if fn is None:
        raise NotImplementedError(f"{op}: not available for CUDA tensors (cupyx.scipy.special "
                                  f"has no {name}); move the input to the CPU")
    return fn


def kernel_error(kernel, dt, x):
    dev = "cpu" if array_module(x).__name__ == "numpy" else "cuda"
    return NotImplementedError(f'"{kernel}_{dev}" not implemented for \'{torch_name(dt)}\'')


def float_dtype(dt, kernel, x, half=True):
    """The result dtype of a float function of dtype dt (ints and bool: the default float);
    torch's NotImplementedError for float16 where it has no half kernel."""
    out = np.dtype(dt) if dt.kind == "f" else np.dtype(get_default_dtype())
    if out == np.float16 and not half:
        raise kernel_error(kernel, out, x)
    return out


def opmath(dt):
    """The dtype the math runs in: float32 for float16 (rounded once at the end)."""
    return np.dtype(np.float32) if dt == np.float16 else dt


def unary_in(x, kernel, half=True):
    """(x as the dtype the math runs in, the result dtype)."""
    dt = float_dtype(x.dtype, kernel, x, half)
    return _cast(x, opmath(dt)), dt


def binary_in(a, b, kernel, half=True, ints=True):
    """Two operands (arrays or numbers) promoted as torch's binary ops, then as unary_in.
    ints=False: an integer or bool result type is torch's NotImplementedError (igamma)."""
    dt = result_type(a, b)
    x = a if getattr(a, "ndim", None) is not None and not isinstance(a, np.generic) else b
    if not ints and dt.kind != "f":
        raise kernel_error(kernel, dt, x)
    dt = float_dtype(dt, kernel, x, half)
    xp = array_module(x)
    a, b = _cast(a, opmath(dt)), _cast(b, opmath(dt))
    try:
        shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:
        raise RuntimeError(f"{kernel}: shapes {np.shape(a)} and {np.shape(b)} are not "
                           "broadcastable") from None
    return xp.asarray(a), xp.asarray(b), dt, shape


def finish(xp, y, dt):
    """The result as an array of dtype dt (scipy gives a NumPy scalar for a 0-d input)."""
    return xp.asarray(y).astype(dt, copy=False)


class NonDifferentiable(Op):
    """A function torch marks non_differentiable (the Bessel functions, the polynomials): its
    output never requires grad and carries no tangent, as torch's."""

    @classmethod
    def forward(cls, ctx, *args):
        with quiet():
            out = cls.math(*args)
        ctx.mark_non_differentiable(out)
        return out

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("unreachable: the output does not require grad")

    @staticmethod
    def jvp(ctx, *tangents):            # torch: no tangent for a non-differentiable output
        return None


def unary_scipy(x, name, kernel, op, half=True):
    """scipy.special.<name>(x) in torch's dtypes: the math in opmath, the result rounded."""
    a, dt = unary_in(x, kernel, half)
    with quiet():
        y = scipy_fn(x, name, op)(a)
    return finish(array_module(x), y, dt)


def is_tensor_or_number(v):
    import numbers
    return hasattr(v, "grad_fn") or (isinstance(v, (numbers.Number, np.generic))
                                     and not isinstance(v, complex))


def overload_check(fn, params, a, b):
    """torch's overloads of a binary special function: (Tensor, Tensor), (Number, Tensor),
    (Tensor, Number); anything else is its TypeError ('received an invalid combination')."""
    if is_tensor_or_number(a) and is_tensor_or_number(b) and \
            (hasattr(a, "grad_fn") or hasattr(b, "grad_fn")):
        return
    got = ", ".join("Tensor" if hasattr(v, "grad_fn") else type(v).__name__ for v in (a, b))
    x, y = params
    raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                    f"expected one of: (Tensor {x}, Tensor {y}), (Number {x}, Tensor {y}), "
                    f"(Tensor {x}, Number {y})")
