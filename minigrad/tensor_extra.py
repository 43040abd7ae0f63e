"""Tensor's in-place comparisons (eq_, lt_, ... and their aliases), absolute_, and the methods
of ops/addr.py, ops/index_reduce.py, ops/nonzero_static.py, ops/histogram.py and
ops/complex_real.py, plus the element-wise Python callbacks apply_/map_/map2_ (mixed into
Tensor in tensor.py). Metadata and storage queries are in tensor_meta.py.
"""
from __future__ import annotations

from .ops import addr as _addr
from .ops import complex_real, histogram as _hist, index_reduce as _ir, inplace
from .ops.checks import need_operand, need_tensor, type_name
from .ops.compare_into import compare_into
from .ops.nonzero_static import nonzero_static as _nonzero_static


def _compare_(x, other, op, name):
    need_operand(name, other, "other", 1)
    return inplace.update(x, lambda t: compare_into(t, other, op), name, other)


class ExtraMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    # ---- in-place comparisons: the 0/1 result in self's dtype (torch.Tensor.eq_, ...) ----
    def eq_(self, other): return _compare_(self, other, "eq", "eq_")
    def ne_(self, other): return _compare_(self, other, "ne", "ne_")
    def lt_(self, other): return _compare_(self, other, "lt", "lt_")
    def le_(self, other): return _compare_(self, other, "le", "le_")
    def gt_(self, other): return _compare_(self, other, "gt", "gt_")
    def ge_(self, other): return _compare_(self, other, "ge", "ge_")
    def greater_(self, other): return _compare_(self, other, "gt", "greater_")
    def greater_equal_(self, other): return _compare_(self, other, "ge", "greater_equal_")
    def less_(self, other): return _compare_(self, other, "lt", "less_")
    def less_equal_(self, other): return _compare_(self, other, "le", "less_equal_")
    def not_equal_(self, other): return _compare_(self, other, "ne", "not_equal_")

    def absolute_(self):
        if self.dtype.kind == "b":
            raise NotImplementedError("absolute_: \"abs_cpu\" not implemented for 'Bool'")
        return inplace.update(self, lambda t: t.abs(), "absolute_")

    # ---- index writes and products ----
    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return _addr.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        if self.ndim != 2:
            raise RuntimeError(f"addr_: 2D tensor expected, got {self.ndim}D tensor for input")
        return inplace.update(self, lambda t: _addr.addr(t, vec1, vec2, beta=beta, alpha=alpha),
                              "addr_", vec1, vec2)

    def index_reduce(self, dim, index, source, reduce, *, include_self=True):
        return _ir.index_reduce(self, dim, index, source, reduce, include_self=include_self)

    def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
        return inplace.update(self, lambda t: _ir.index_reduce(
            t, dim, index, source, reduce, include_self=include_self), "index_reduce_", source)

    def put(self, index, source, accumulate=False):
        return _ir.put(self, index, source, accumulate)

    def put_(self, index, source, accumulate=False):
        return inplace.update(self, lambda t: _ir.put(t, index, source, accumulate), "put_",
                              source)

    def nonzero_static(self, *, size, fill_value=-1):
        return _nonzero_static(self, size=size, fill_value=fill_value)

    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        return _hist.histogram(self, bins, range=range, weight=weight, density=density)

    # ---- complex-number functions on real tensors ----
    @property
    def real(self): return complex_real.real(self)

    @property
    def imag(self): return complex_real.imag(self)

    def isreal(self): return complex_real.isreal(self)
    def angle(self): return complex_real.angle(self)
    def conj(self): return complex_real.conj(self)
    def conj_physical(self): return complex_real.conj_physical(self)
    def conj_physical_(self): return complex_real.conj_physical_(self)
    def resolve_conj(self): return complex_real.resolve_conj(self)
    def resolve_neg(self): return complex_real.resolve_neg(self)
    def is_conj(self): return complex_real.is_conj(self)
    def is_neg(self): return complex_real.is_neg(self)
    def adjoint(self): return complex_real.adjoint(self)

    @property
    def mH(self):
        if self.ndim == 1:
            raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. "
                               "Got 1-D tensor.")
        return complex_real.adjoint(self)

    @property
    def H(self):
        if self.ndim not in (0, 2):
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor."
                               + (" For batches of matrices, consider using tensor.mH"
                                  if self.ndim > 2 else ""))
        return complex_real.adjoint(self)

    # ---- Python callbacks, element by element (CPU only, as torch) ----
    def apply_(self, callable):
        """self[i] = callable(self[i]) for every element, in place (torch.Tensor.apply_)."""
        _callback_checks(self, "apply_", callable)
        return _write_values(self, "apply_", lambda: map(callable, self.data.ravel().tolist()))

    def map_(self, tensor, callable):
        """self[i] = callable(self[i], tensor[i]), tensor broadcast to self's shape."""
        _callback_checks(self, "map_", callable)
        b = _same_type_operand(self, "map_", tensor, "other")
        return _write_values(self, "map_", lambda: map(
            callable, self.data.ravel().tolist(), b.ravel().tolist()))

    def map2_(self, x, y, callable):
        """self[i] = callable(self[i], x[i], y[i]), x and y broadcast to self's shape."""
        _callback_checks(self, "map2_", callable)
        a = _same_type_operand(self, "map2_", x, "x")
        b = _same_type_operand(self, "map2_", y, "y")
        return _write_values(self, "map2_", lambda: map(
            callable, self.data.ravel().tolist(), a.ravel().tolist(), b.ravel().tolist()))


def _callback_checks(x, op, fn):
    if x.is_cuda:
        raise TypeError(f"{op} is only implemented on CPU tensors")
    if x.requires_grad:
        raise RuntimeError(f"Can't call {op}() on Variable that requires grad. Use "
                           f"var.detach().{op}() instead.")
    if not callable(fn):
        raise TypeError(f"{op}(): argument 'callable' must be callable, not {type_name(fn)}")


def _same_type_operand(x, op, t, name):
    """t's array broadcast to x's shape; torch wants t of x's dtype and device."""
    from .tensor_layout import _TYPE_NAMES
    need_tensor(op, t, name)
    if t.dtype != x.dtype or t.is_cuda != x.is_cuda:
        raise TypeError(f"{op}: expected torch.{_TYPE_NAMES[x.dtype.name]}Tensor for '{name}' "
                        f"(got torch.{_TYPE_NAMES[t.dtype.name]}Tensor)")
    import numpy as np
    try:
        return np.broadcast_to(t.data, x.shape)
    except ValueError:
        raise RuntimeError(f"{op}: the shape of '{name}' {list(t.shape)} cannot be broadcast to "
                           f"self's shape {list(x.shape)}") from None


def _write_values(x, op, values):
    """Write the callback's results, converted to x's dtype as torch's static_cast does."""
    import numbers

    import numpy as np
    out = []
    for v in values():
        if not isinstance(v, numbers.Real):
            raise TypeError(f"{op}: the callable must return a real number, not {type_name(v)}")
        out.append(v)
    with np.errstate(invalid="ignore", over="ignore"):
        arr = np.asarray(out, dtype=np.float64 if any(isinstance(v, float) for v in out)
                         else None).astype(x.dtype) if out else np.zeros(0, x.dtype)
    arr = arr.reshape(x.shape)
    return inplace.update(x, lambda t: type(x)._make(arr), op)
