"""softmax and log_softmax along any dim, fused, with backwards that are Functions too.

    y = softmax(x):      y = exp(x - max) / sum(exp(x - max))
                         dx = y * (dy - sum(dy * y))
    y = log_softmax(x):  y = x - max - log(sum(exp(x - max)))
                         dx = dy - exp(y) * sum(dy)

The functions below are the reference math, written once for NumPy and CuPy. Each op's
forward hands its arrays to a faster implementation of the same math where one applies, in
one line (minigrad/fastpath.py): minigrad/cpu/softmax.py (row blocks in cache, several
threads) on the CPU, minigrad/cuda/softmax.py (kernels/softmax.cu) on CUDA.
A row that is entirely -inf gives NaN, as torch does.
"""
from __future__ import annotations

import warnings

from .. import fastpath
from ..autograd import Op
from ..backend import array_module
from ..cpu import softmax as cpu_softmax
from ..cuda import softmax as cuda_softmax
from .arith import torch_name
from .checks import need_dtype, need_tensor
from .shape import normalize_dim


def _rows(fn, dim, *arrays):
    """Run fn on arrays that are not 0-d (a 0-d tensor is one row of length 1, as in torch),
    giving back the first array's shape. Empty arrays skip the reductions (max has no
    identity): an empty softmax is empty."""
    shape = arrays[0].shape
    if arrays[0].size == 0:
        return array_module(arrays[0]).zeros(shape, arrays[0].dtype)
    if not shape:
        return fn(*(a.reshape(1) for a in arrays), 0).reshape(shape)
    return fn(*arrays, dim)


def _softmax_array(x, dim):
    xp = array_module(x)
    y = x - x.max(axis=dim, keepdims=True)
    xp.exp(y, out=y)
    y /= y.sum(axis=dim, keepdims=True)
    return y


def _log_softmax_array(x, dim):
    xp = array_module(x)
    y = x - x.max(axis=dim, keepdims=True)
    s = xp.exp(y).sum(axis=dim, keepdims=True)
    y -= xp.log(s)
    return y


def _softmax(x, dim):
    return _rows(_softmax_array, dim, x)


def _log_softmax(x, dim):
    return _rows(_log_softmax_array, dim, x)


def _softmax_backward(y, g, dim):
    return _rows(_softmax_grad, dim, y, g)


def _log_softmax_backward(y, g, dim):
    return _rows(_log_softmax_grad, dim, y, g)


def _softmax_grad(y, g, dim):
    gy = g * y
    return gy - y * gy.sum(axis=dim, keepdims=True)


def _log_softmax_grad(y, g, dim):
    return g - array_module(y).exp(y) * g.sum(axis=dim, keepdims=True)


class Softmax(Op):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = fastpath.run(cpu_softmax.softmax, cuda_softmax.softmax, _softmax, x, dim)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return SoftmaxBackward.apply(y, g, ctx.dim), None

    @staticmethod
    def jvp(ctx, tx, _):                    # dy = y * (dx - sum(dx * y)): J is symmetric,
        y, = ctx.saved_tensors              # diag(y) - y y^T, so J v is backward's formula
        return SoftmaxBackward.apply(y, tx, ctx.dim)


class SoftmaxBackward(Op):
    """dx = y * (g - sum(g * y)), as one node so the fused path stays differentiable."""

    @staticmethod
    def forward(ctx, y, g, dim):
        ctx.dim = dim
        ctx.save_for_backward(y, g)
        return fastpath.run(None, cuda_softmax.softmax_backward, _softmax_backward, y, g, dim)

    @staticmethod
    def backward(ctx, gg):
        y, g, = ctx.saved_tensors            # uses y, g; gg is the gradient w.r.t. dx
        d = ctx.dim
        s_gy = (g * y).sum(d, keepdim=True)
        s_ggy = (gg * y).sum(d, keepdim=True)
        # d/dy: gg * (g - sum(g y)) - g * sum(gg y);   d/dg: y * (gg - sum(gg y))
        gy = gg * (g - s_gy) - g * s_ggy
        gg_out = y * (gg - s_ggy)
        return gy, gg_out, None

    @staticmethod
    def jvp(ctx, ty, tg, _):                # out = y (g - sum(g y)), bilinear in (y, g):
        y, g = ctx.saved_tensors            # d out = y (dg - sum(dg y))
        d = ctx.dim                         #         + dy (g - sum(g y)) - y sum(g dy)
        out = None if tg is None else SoftmaxBackward.apply(y, tg, d)
        if ty is not None:
            term = ty * (g - (g * y).sum(d, keepdim=True)) - y * (g * ty).sum(d, keepdim=True)
            out = term if out is None else out + term
        return out


class LogSoftmax(Op):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = fastpath.run(cpu_softmax.log_softmax, cuda_softmax.log_softmax, _log_softmax, x,
                         dim)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return LogSoftmaxBackward.apply(y, g, ctx.dim), None

    @staticmethod
    def jvp(ctx, tx, _):                    # dy = dx - sum(softmax(x) dx)
        y, = ctx.saved_tensors
        return tx - (tx * y.exp()).sum(ctx.dim, keepdim=True)


class LogSoftmaxBackward(Op):
    """dx = g - exp(y) * sum(g)."""

    @staticmethod
    def forward(ctx, y, g, dim):
        ctx.dim = dim
        ctx.save_for_backward(y, g)
        return fastpath.run(None, cuda_softmax.log_softmax_backward, _log_softmax_backward,
                            y, g, dim)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.saved_tensors             # uses y, g; gg is the gradient w.r.t. dx
        d = ctx.dim
        p = y.exp()
        # d/dy: -gg * exp(y) * sum(g);   d/dg: gg - sum(gg * exp(y))
        gy = -gg * p * g.sum(d, keepdim=True)
        gg_out = gg - (gg * p).sum(d, keepdim=True)
        return gy, gg_out, None

    @staticmethod
    def jvp(ctx, ty, tg, _):                # out = g - exp(y) sum(g):
        y, g = ctx.saved_tensors            # d out = dg - exp(y) sum(dg) - exp(y) dy sum(g)
        out = None if tg is None else LogSoftmaxBackward.apply(y, tg, ctx.dim)
        if ty is not None:
            term = -(y.exp() * ty) * g.sum(ctx.dim, keepdim=True)
            out = term if out is None else out + term
        return out


def _check(x, op):
    if x.dtype.kind != "f":             # (torch names its CPU kernel and the dtype)
        raise NotImplementedError(f'{op}: "{op}_lastdim_kernel_impl" not implemented for '
                                  f"'{torch_name(x.dtype)}' (pass dtype= to compute in a "
                                  "floating point dtype)")


def _implicit_dim(dim, x, op):
    """torch's legacy choice when dim is None (with its deprecation warning): dim 0 for
    0-, 1- and 3-d inputs, else dim 1."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if x.ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """Softmax along `dim` (any dim of any rank); matches torch.softmax."""
    need_tensor("softmax", input, "input", 1)
    dtype = None if dtype is None else need_dtype("softmax", dtype)
    if dtype is not None:
        input = input.to(dtype)
    _check(input, "softmax")
    dim = _implicit_dim(dim, input, "softmax")
    return Softmax.apply(input, normalize_dim(dim, input.ndim, "softmax"))


def log_softmax(input, dim=None, dtype=None):
    """log(softmax(x)) computed stably as x - logsumexp(x); matches torch.log_softmax."""
    need_tensor("log_softmax", input, "input", 1)
    dtype = None if dtype is None else need_dtype("log_softmax", dtype)
    if dtype is not None:
        input = input.to(dtype)
    _check(input, "log_softmax")
    dim = _implicit_dim(dim, input, "log_softmax")
    return LogSoftmax.apply(input, normalize_dim(dim, input.ndim, "log_softmax"))
