"""minigrad.func.vmap against torch.func.vmap: elementwise ops, reductions, shape ops,
products and softmax, with in_dims/out_dims variations (values and gradients, float64)."""
from __future__ import annotations

import numpy as np
import pytest

from vmap_check import F, check_vmap

r = np.random.default_rng(17)


def rn(*shape):
    return r.standard_normal(shape)


# ---- elementwise ----------------------------------------------------------------------------
UNARY = {
    "sin": lambda L, x: L.sin(x), "exp": lambda L, x: x.exp(), "tanh": lambda L, x: L.tanh(x),
    "relu": lambda L, x: L.relu(x), "sigmoid": lambda L, x: L.sigmoid(x),
    "abs_sqrt": lambda L, x: L.sqrt(L.abs(x) + 1), "neg_pow": lambda L, x: (-x) ** 2,
    "log1p": lambda L, x: L.log1p(x * x), "clamp": lambda L, x: L.clamp(x, -0.5, 0.7),
    "gelu": lambda L, x: F(L).gelu(x), "softplus": lambda L, x: F(L).softplus(x, beta=2),
    "silu": lambda L, x: F(L).silu(x), "erf": lambda L, x: L.erf(x),
    "leaky": lambda L, x: F(L).leaky_relu(x, 0.1), "rsub": lambda L, x: 2 - x / 3,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    check_vmap(UNARY[name], [rn(3, 4, 5)])


@pytest.mark.parametrize("in_dims,out_dims", [(1, 0), (-1, 1), (2, -1), (0, 2)])
def test_unary_dims(in_dims, out_dims):
    check_vmap(lambda L, x: L.tanh(x) * 2, [rn(3, 4, 5)], in_dims, out_dims)


@pytest.mark.parametrize("shapes,in_dims", [
    (((3, 4), (4,)), (0, None)),           # batched (4,) with an unbatched vector
    (((3, 4), (2, 5, 4)), (0, None)),      # unbatched operand of a higher logical rank
    (((4, 3), (3, 2, 4)), (1, 0)),         # both batched, different dims and ranks
    (((2, 4), (3, 2, 1)), (None, 0)),      # only the second batched
    (((3,), (3, 2, 2)), (0, 0)),           # a batched scalar with a batched matrix
    (((3, 1, 4), (5, 3)), (0, (1))),
])
@pytest.mark.parametrize("op", ["add", "mul", "sub", "div", "maximum", "atan2", "where"])
def test_binary_broadcast(shapes, in_dims, op):
    fns = {"add": lambda L, a, b: a + b, "mul": lambda L, a, b: L.mul(a, b),
           "sub": lambda L, a, b: b - a, "div": lambda L, a, b: a / (b * b + 1),
           "maximum": lambda L, a, b: L.maximum(a, b), "atan2": lambda L, a, b: L.atan2(a, b),
           "where": lambda L, a, b: L.where(a > b, a * 2, b)}
    if shapes == ((3, 1, 4), (5, 3)):
        shapes = ((3, 1, 4), (4, 3))
    check_vmap(fns[op], [rn(*shapes[0]), rn(*shapes[1])], in_dims)


def test_scalars_and_comparisons():
    check_vmap(lambda L, x: (x > 0).to(x.dtype) * x + (x == x).to(x.dtype), [rn(3, 4)],
               grad=True)
    check_vmap(lambda L, x, y: L.where(y, x, 0.5), [rn(4, 3), rn(3) > 0], (0, None))
    check_vmap(lambda L, x, y: L.where(y, x, -x), [rn(4, 3), rn(4, 3) > 0], (0, 0))
    check_vmap(lambda L, x, y: L.addcmul(x, x, y, value=0.5), [rn(4, 3), rn(3)], (0, None))
    check_vmap(lambda L, x, y: L.lerp(x, y, 0.3), [rn(4, 3), rn(2, 3)], (0, None))


# ---- reductions -----------------------------------------------------------------------------
RED = {
    "sum": lambda L, x: x.sum(), "sum1": lambda L, x: x.sum(1), "sum_keep": lambda L, x:
    x.sum((0, -1), keepdim=True), "mean": lambda L, x: x.mean(-1), "mean_all": lambda L, x:
    L.mean(x), "amax": lambda L, x: L.amax(x, (0, -1)), "max": lambda L, x: x.max(),
    "max_dim": lambda L, x: x.max(1), "min_dim_keep": lambda L, x: x.min(-1, keepdim=True),
    "logsumexp": lambda L, x: L.logsumexp(x, 1), "var": lambda L, x: x.var(0),
    "std": lambda L, x: x.std((0, 1), correction=0), "argmax": lambda L, x: x.argmax(1),
    "amin": lambda L, x: x.amin(-1), "prod_free": lambda L, x: (x * x).sum(-2).sqrt(),
}


@pytest.mark.parametrize("name", sorted(RED))
@pytest.mark.parametrize("in_dims", [0, 2])
def test_reductions(name, in_dims):
    check_vmap(RED[name], [rn(4, 3, 5)], in_dims)


# ---- shape ops ------------------------------------------------------------------------------
SHAPE = {
    "view": lambda L, x: x.view(15), "reshape": lambda L, x: x.reshape(5, -1),
    "permute": lambda L, x: x.permute(1, 0), "transpose": lambda L, x: x.transpose(0, 1),
    "T": lambda L, x: x.T, "unsqueeze": lambda L, x: x.unsqueeze(1).unsqueeze(-1),
    "squeeze": lambda L, x: x.unsqueeze(0).squeeze(0), "squeeze_all": lambda L, x:
    x.reshape(1, 3, 1, 5).squeeze(), "expand": lambda L, x: x[:1].expand(2, 4, 5),
    "flatten": lambda L, x: x.flatten(), "index_basic": lambda L, x: x[1:, ::2],
    "index_int": lambda L, x: x[1], "index_none_ellipsis": lambda L, x: x[None, ..., 2],
    "index_neg": lambda L, x: x[-1, -2:], "contiguous": lambda L, x: x.T.contiguous(),
    "index_array": lambda L, x: x[:, [0, 2, 2]], "index_mask": lambda L, x: x[:, L.tensor(
        [True, False, True, True, False])], "chunk": lambda L, x: x.chunk(2, 1)[1],
    "split": lambda L, x: L.cat(x.split([2, 3], dim=1)[::-1], 1),
    "unbind": lambda L, x: x.unbind(1)[3], "narrow": lambda L, x: x.narrow(1, 1, 3),
    "movedim": lambda L, x: L.movedim(x, 0, 1), "flip": lambda L, x: L.flip(x, [0]),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
@pytest.mark.parametrize("in_dims", [0, -1])
def test_shape_ops(name, in_dims):
    check_vmap(SHAPE[name], [rn(3, 5, 2) if in_dims == -1 else rn(2, 3, 5)], in_dims)


@pytest.mark.parametrize("in_dims", [(0, None), (None, 0), (0, 1)])
@pytest.mark.parametrize("op", ["cat", "stack"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack(in_dims, op, dim):
    def fn(L, a, b):
        return getattr(L, op)([a, b * 2, a], dim)
    shapes = {(0, None): ((3, 2, 4), (2, 4)), (None, 0): ((2, 4), (3, 2, 4)),
              (0, 1): ((3, 2, 4), (2, 3, 4))}[in_dims]
    check_vmap(fn, [rn(*s) for s in shapes], in_dims)


def test_batched_index_tensor():
    # a per-sample index goes through the loop over samples
    check_vmap(lambda L, x, i: x[i], [rn(3, 5), np.array([4, 0, 2])], (0, 0))
    check_vmap(lambda L, x, i: x[:, i], [rn(3, 2, 5), np.array([[4, 1], [0, 0], [2, 3]])],
               (0, 0))


# ---- products and softmax ---------------------------------------------------------------
MATMUL_SHAPES = [((4,), (4,)), ((4,), (4, 2)), ((3, 4), (4,)), ((3, 4), (4, 2)),
                 ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 3)),
                 ((2, 3, 4), (4,))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("in_dims", [(0, None), (None, 0), (0, 0), (-1, 0)])
def test_matmul(shapes, in_dims):
    B = 3
    arrays = []
    for s, d in zip(shapes, in_dims):
        if d is None:
            arrays.append(rn(*s))
        else:
            full = list(s)
            full.insert(d % (len(s) + 1), B)
            arrays.append(rn(*full))
    check_vmap(lambda L, a, b: L.matmul(a, b), arrays, in_dims)


def test_mm_bmm_linear():
    check_vmap(lambda L, a, b: L.mm(a, b), [rn(3, 2, 4), rn(4, 5)], (0, None))
    check_vmap(lambda L, a, b: L.mm(a, b), [rn(2, 4), rn(3, 4, 5)], (None, 0))
    check_vmap(lambda L, a, b: L.bmm(a, b), [rn(3, 2, 2, 4), rn(3, 2, 4, 5)])
    check_vmap(lambda L, a, b: a @ b.T, [rn(3, 2, 4), rn(3, 5, 4)])
    check_vmap(lambda L, x, w, b: F(L).linear(x, w, b), [rn(3, 6, 4), rn(5, 4), rn(5)],
               (0, None, None))
    check_vmap(lambda L, x, w, b: F(L).linear(x, w, b), [rn(3, 4), rn(3, 5, 4), rn(3, 5)],
               (0, 0, 0))
    check_vmap(lambda L, x, w: F(L).linear(x, w), [rn(2, 4), rn(3, 5, 4)], (None, 0))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("log", [False, True])
def test_softmax(dim, log):
    fn = (lambda L, x: F(L).log_softmax(x, dim)) if log else (lambda L, x: L.softmax(x, dim))
    check_vmap(fn, [rn(3, 4, 5)])
    check_vmap(fn, [rn(4, 3, 5)], 1, -1)
