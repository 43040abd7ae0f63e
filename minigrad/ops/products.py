"""Matrix and vector products with torch's names: mm, bmm, mv, dot, vdot, outer, kron,
tensordot, and the fused add-products addmm, addbmm, baddbmm, addmv.

Each is a composition of Matmul (ops/linalg.py) and shape ops, with torch's argument checks
in front, so backward and double backward come from the parts.
"""
from __future__ import annotations

import numbers

from ..autocast_state import autocast_op, tensordot_policy
from ..autograd import _tensor_cls
from .checks import need_number
from .linalg import Matmul
from .shape import normalize_dim


def _check_tensors(op, **named):
    Tensor = _tensor_cls()
    for name, x in named.items():
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _check_dims(op, x, name, ndim, what):
    if x.ndim != ndim:
        raise RuntimeError(f"{op}: {name} must be a {what} ({ndim}-D), got a {x.ndim}-D tensor "
                           f"of shape {tuple(x.shape)}")


def _same_dtype(op, *xs):
    dts = {x.dtype for x in xs}
    if len(dts) > 1:
        raise RuntimeError(f"{op}: expected all inputs to have the same dtype, got "
                           f"{', '.join(str(x.dtype) for x in xs)}")
    if xs[0].dtype.kind == "b":
        raise RuntimeError(f"{op}: not implemented for bool tensors")


@autocast_op("mm")
def mm(input, mat2):
    """Matrix product of an (n, m) and an (m, p) matrix, no broadcasting (torch.mm)."""
    _check_tensors("mm", input=input, mat2=mat2)
    _check_dims("mm", input, "input", 2, "matrix")
    _check_dims("mm", mat2, "mat2", 2, "matrix")
    _same_dtype("mm", input, mat2)
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mm: mat1 and mat2 shapes cannot be multiplied "
                           f"({input.shape[0]}x{input.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    return Matmul.apply(input, mat2)


@autocast_op("bmm")
def bmm(input, mat2):
    """Batched matrix product of (b, n, m) and (b, m, p), no broadcasting (torch.bmm)."""
    _check_tensors("bmm", input=input, mat2=mat2)
    _check_dims("bmm", input, "input", 3, "batch of matrices")
    _check_dims("bmm", mat2, "mat2", 3, "batch of matrices")
    _same_dtype("bmm", input, mat2)
    b, _, m = input.shape
    if mat2.shape[:2] != (b, m):
        raise RuntimeError(f"bmm: expected mat2 of shape ({b}, {m}, *), got "
                           f"{tuple(mat2.shape)} for input of shape {tuple(input.shape)}")
    return Matmul.apply(input, mat2)


@autocast_op("mv")
def mv(input, vec):
    """Product of an (n, m) matrix and an (m,) vector: shape (n,) (torch.mv)."""
    _check_tensors("mv", input=input, vec=vec)
    _check_dims("mv", input, "input", 2, "matrix")
    _check_dims("mv", vec, "vec", 1, "vector")
    _same_dtype("mv", input, vec)
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"mv: size mismatch, got input {tuple(input.shape)} and vec "
                           f"{tuple(vec.shape)}")
    return Matmul.apply(input, vec)


@autocast_op("dot")
def dot(input, tensor):
    """Inner product of two 1-D tensors of the same size and dtype, a 0-d result (torch.dot)."""
    _check_tensors("dot", input=input, tensor=tensor)
    _check_dims("dot", input, "input", 1, "vector")
    _check_dims("dot", tensor, "tensor", 1, "vector")
    _same_dtype("dot", input, tensor)
    if input.shape != tensor.shape:
        raise RuntimeError(f"dot: inconsistent tensor size, got {input.shape[0]} and "
                           f"{tensor.shape[0]} elements")
    return Matmul.apply(input, tensor)


def vdot(input, other):
    """conj(input) . other for 1-D tensors; minigrad has no complex dtypes, so it is dot
    (torch.vdot)."""
    _check_tensors("vdot", input=input, other=other)
    return dot(input, other)


def _scale_check(op, dtype, **scales):
    for name, s in scales.items():
        if not isinstance(s, numbers.Number):
            raise TypeError(f"{op}(): argument '{name}' must be a number, not "
                            f"{type(s).__name__}")
        need_number(op, s, name)                        # (and an int that fits int64)
        if dtype.kind in "iu" and not isinstance(s, numbers.Integral):
            raise RuntimeError(f"{op}: for integer inputs, {name} must be an integer, got {s!r}")


def _add_product(op, input, prod, beta, alpha):
    """beta * input + alpha * prod, input broadcast to prod's shape; beta == 0 ignores input
    (its nan and inf do not reach the result), as torch's add-products do."""
    if input.dtype != prod.dtype:
        raise RuntimeError(f"{op}: expected input of dtype {prod.dtype} (the dtype of the "
                           f"matrices), got {input.dtype}")
    _scale_check(op, prod.dtype, beta=beta, alpha=alpha)
    try:
        base = input.expand(*prod.shape) if input.shape != prod.shape else input
    except RuntimeError:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} does not broadcast to "
                           f"the product's shape {tuple(prod.shape)}") from None
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:           # input takes part with a zero gradient, its values do not
        from ..creation import ones
        return prod + base.masked_fill(ones(base.shape, dtype=bool, device=base.device), 0)
    return prod + (base if beta == 1 else base * beta)


@autocast_op("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to (n, p) (torch.addmm)."""
    _check_tensors("addmm", input=input, mat1=mat1, mat2=mat2)
    return _add_product("addmm", input, mm(mat1, mat2), beta, alpha)


@autocast_op("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b]) (torch.addbmm)."""
    _check_tensors("addbmm", input=input, batch1=batch1, batch2=batch2)
    prods = bmm(batch1, batch2)
    _scale_check("addbmm", prods.dtype, beta=beta, alpha=alpha)
    if alpha != 1:          # each batch's product scaled before the sum, as torch's kernel
        prods = prods * alpha   # does (alpha = inf: inf - inf = nan where torch has it)
    return _add_product("addbmm", input, prods.sum(0), beta, 1)


@autocast_op("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), input broadcast to (b, n, p)
    (torch.baddbmm)."""
    _check_tensors("baddbmm", input=input, batch1=batch1, batch2=batch2)
    return _add_product("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@autocast_op("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec), input broadcast to (n,) (torch.addmv)."""
    _check_tensors("addmv", input=input, mat=mat, vec=vec)
    if mat.ndim == 2 and mat.numel() == 0 and tuple(input.shape) != mat.shape[:1]:
        # torch returns beta * input without broadcasting it here (shape input.shape)
        raise RuntimeError(f"addmv: input of shape {tuple(input.shape)} with an empty mat of "
                           f"shape {tuple(mat.shape)}: torch returns the input unbroadcast "
                           f"here; minigrad asks for an input of shape ({mat.shape[0]},)")
    return _add_product("addmv", input, mv(mat, vec), beta, alpha)


def outer(input, vec2):
    """Outer product of two 1-D tensors, (n,) x (m,) -> (n, m), promoted (torch.outer)."""
    _check_tensors("outer", input=input, vec2=vec2)
    _check_dims("outer", input, "input", 1, "vector")
    _check_dims("outer", vec2, "vec2", 1, "vector")
    return input.reshape(-1, 1) * vec2


def kron(input, other):
    """Kronecker product: result[i*m + k, ...] = input[i, ...] * other[k, ...], the shorter
    operand padded with leading 1s (torch.kron)."""
    _check_tensors("kron", input=input, other=other)
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    # interleave: a -> (a0, 1, a1, 1, ...), b -> (1, b0, 1, b1, ...)
    sa = sum(((s, 1) for s in a.shape), ())
    sb = sum(((1, s) for s in b.shape), ())
    out = a.reshape(sa) * b.reshape(sb)
    return out.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))


def _tensordot_dims(a, b, dims):
    if isinstance(dims, _tensor_cls()):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"tensordot: dims must be non-negative, got {dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims {dims} is more than the dims of the inputs "
                               f"({a.ndim} and {b.ndim})")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise RuntimeError(f"tensordot: dims must be an int or a pair of lists, got {dims!r}")
    da, db = ([d] if isinstance(d, numbers.Integral) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(f"tensordot: both dim lists should have the same length, got "
                           f"{da} and {db}")
    return ([normalize_dim(d, a.ndim, "tensordot") for d in da],
            [normalize_dim(d, b.ndim, "tensordot") for d in db])


@autocast_op("tensordot", tensordot_policy)
def tensordot(a, b, dims=2, out=None):
    """Sum of products over dims[0] of a and dims[1] of b: a's free dims then b's
    (torch.tensordot; dims an int n means a's last n and b's first n)."""
    _check_tensors("tensordot", a=a, b=b)
    if out is not None:
        raise RuntimeError("tensordot: out= is not supported by minigrad")
    if a.dtype != b.dtype:
        raise RuntimeError(f"tensordot: both inputs should have same dtype, got {a.dtype} and "
                           f"{b.dtype}")
    da, db = _tensordot_dims(a, b, dims)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"tensordot: contracted dimensions need to match, but first has "
                               f"size {a.shape[i]} in dim {i} and second has size "
                               f"{b.shape[j]} in dim {j}")
    if len(set(da)) != len(da) or len(set(db)) != len(db):
        raise RuntimeError(f"tensordot: a dim appears twice in dims {da}, {db}")
    fa = [d for d in range(a.ndim) if d not in da]
    fb = [d for d in range(b.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    free_a = tuple(a.shape[d] for d in fa)
    free_b = tuple(b.shape[d] for d in fb)
    a2 = a.permute(*(fa + da)).reshape(_prod(free_a), k)
    b2 = b.permute(*(db + fb)).reshape(k, _prod(free_b))
    return Matmul.apply(a2, b2).reshape(free_a + free_b)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n
