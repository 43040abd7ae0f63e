"""Autocast (torch.autocast on CPU): its per-thread state, and `autocast_op`, the wrapper that
gives an op torch's cast policy.

Under `autocast("cpu", dtype=float16)`, an op in torch's lists casts its floating inputs
(never float64 ones, nor those of ops given dtype=) before it runs:
  "lower"    to the autocast dtype (matmul, linear, convolutions, ...);
  "fp32"     to float32 (losses, linalg, 3-D pooling, prod, ...);
  "promote"  to the widest floating dtype among them (cat, stack, index_copy).
The op then runs with autocast off inside (its internals are not cast again), as torch's
wrapper redispatches below autocast. Other ops run as they are; a composite one's parts see
autocast, as in torch. Backward never autocasts: each op's backward runs in the dtypes its
forward used. The casts are ordinary differentiable ops, so gradients come back in the
inputs' own dtypes. The lists are torch's CPU ones, checked op by op against torch in
tests/test_autocast.py; CUDA autocast is not implemented (amp/autocast_mode.py says so).
"""
from __future__ import annotations

import functools
import threading

import numpy as np

_FLOAT32 = np.dtype(np.float32)


class _State(threading.local):
    enabled = False                 # CPU autocast on in this thread
    dtype = None                    # its lower-precision dtype (None: torch's default bfloat16,
                                    # which minigrad does not have; autocast() then refuses)
    cache_enabled = True
    nesting = 0
    inside = 0                      # > 0 while a listed op runs: its internals are not cast


state = _State()
active = 0      # threads with autocast on: the one test an op makes when autocast is off
_lock = threading.Lock()


def set_enabled(value: bool) -> None:
    """Turn CPU autocast on or off in this thread (torch.set_autocast_enabled("cpu", ...))."""
    global active
    value = bool(value)
    if value != state.enabled:
        with _lock:
            active += 1 if value else -1
        state.enabled = value


class suspended:
    """Autocast off in this thread inside (for a listed op's internals, and for backward)."""

    def __enter__(self):
        state.inside += 1

    def __exit__(self, *exc):
        state.inside -= 1


# torch's CPU lists (aten/src/ATen/autocast_mode.cpp, AutocastCPU), by minigrad's names
LOWER = frozenset("""
matmul mm bmm addmm addbmm baddbmm chain_matmul linalg.multi_dot linalg.vecdot linear conv1d
conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d conv_tbc prelu
scaled_dot_product_attention rnn_tanh rnn_relu rnn_tanh_cell rnn_relu_cell
""".split())
FP32 = frozenset("""
prod quantile nanquantile cdist trace stft inverse cholesky cholesky_inverse cholesky_solve
lu_solve orgqr ormqr pinverse geqrf qr svd triangular_solve binary_cross_entropy
binary_cross_entropy_with_logits mse_loss l1_loss smooth_l1_loss huber_loss cross_entropy
nll_loss kl_div cosine_embedding_loss hinge_embedding_loss poisson_nll_loss margin_ranking_loss
soft_margin_loss triplet_margin_loss multi_margin_loss multilabel_margin_loss ctc_loss
avg_pool3d max_pool3d max_unpool2d max_unpool3d adaptive_avg_pool3d adaptive_max_pool3d
fractional_max_pool2d fractional_max_pool3d grid_sample pad_reflect pad_replicate
linalg.cond linalg.matrix_rank linalg.solve linalg.cholesky linalg.cholesky_ex linalg.svd
linalg.svdvals linalg.eigvals linalg.eig linalg.eigh linalg.eigvalsh linalg.inv linalg.inv_ex
linalg.householder_product linalg.tensorinv linalg.tensorsolve linalg.qr linalg.lstsq
""".split())
PROMOTE = frozenset("cat stack index_copy".split())
NONE = frozenset("convolution addmv addr mv dot bilinear gru_cell lstm_cell gru lstm pad"
                 .split())


# (NONE: ops torch does not autocast whose minigrad internals use listed ops: run as they are)


def policy(name):
    return ("lower" if name in LOWER else "fp32" if name in FP32 else
            "promote" if name in PROMOTE else None)


def autocast_op(name, which=None):
    """Decorator: the op `name` with its policy under CPU autocast (see the module docstring).
    `which(args, kwargs)`, if given, names the policy's entry for a call (F.pad's mode)."""
    def wrap(fn):
        @functools.wraps(fn)
        def op(*args, **kwargs):
            if not active or not state.enabled or state.inside:
                return fn(*args, **kwargs)
            entry = name if which is None else which(args, kwargs)
            return _run(fn, entry, args, kwargs)
        return op
    return wrap


# ---- ops torch does not list, whose torch decomposition runs a listed one (mm, bmm) only in
# some forms: the form decides ("matmul": cast as it; "none": run as they are)
def _ndim(t):
    return getattr(t, "ndim", 0)


def inner_policy(args, kwargs):
    """torch.inner: 1-D by 1-D is a dot product (not cast); otherwise tensordot's mm."""
    a, b = (list(args) + [kwargs.get("other")])[:2]
    return "matmul" if min(_ndim(a), _ndim(b)) >= 1 and max(_ndim(a), _ndim(b)) >= 2 else "none"


def tensordot_policy(args, kwargs):
    """torch.tensordot: an mm, but for a contraction over every dim of both (a dot)."""
    a, b = args[:2]
    dims = args[2] if len(args) > 2 else kwargs.get("dims", 2)
    n = len(dims[0]) if isinstance(dims, (list, tuple)) else int(dims)
    return "none" if n == _ndim(a) == _ndim(b) else "matmul"


def einsum_policy(args, kwargs):
    """torch.einsum: bmm for a pair of operands with a summed index, else products."""
    eq, ops = args[0], args[1:]
    if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
        ops = ops[0]
    if not isinstance(eq, str) or len(ops) < 2:
        return "none"
    ins, _, out = eq.replace(" ", "").partition("->")
    letters = [c for c in ins if c.isalpha()]
    if not _:                           # implicit output: the letters seen once
        out = "".join(c for c in letters if letters.count(c) == 1)
    return "matmul" if any(c not in out for c in letters) else "none"


def _is_eligible(t):
    """A CPU floating tensor that is not float64 (torch's is_eligible)."""
    return hasattr(t, "grad_fn") and t.dtype.kind == "f" and t.dtype != np.float64 and \
        t.device.type == "cpu"


def _map(obj, fn):
    if hasattr(obj, "grad_fn"):
        return fn(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):        # a namedtuple
        return type(obj)(*[_map(v, fn) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map(v, fn) for v in obj)
    return obj


def call(name, fn, *args):
    """fn(*args) as the op `name` under autocast (for code that is not itself an op: the
    RNN modules' layers)."""
    if not active or not state.enabled or state.inside:
        return fn(*args)
    return _run(fn, name, args, {})


def _run(fn, name, args, kwargs):
    how = policy(name)
    if how is None or (how == "fp32" and kwargs.get("dtype") is not None):
        with suspended():                   # unlisted (NONE) or dtype= given: as they are
            return fn(*args, **kwargs)
    if how == "promote":
        found = []
        _map((args, kwargs), lambda t: found.append(t.dtype) if _is_eligible(t) else None)
        if not found:
            return fn(*args, **kwargs)
        to = max(found, key=lambda d: d.itemsize)
    else:
        to = state.dtype if how == "lower" else _FLOAT32

    def cast(t):
        return t.to(to) if _is_eligible(t) and t.dtype != to else t
    args, kwargs = _map(list(args), cast), {k: _map(v, cast) for k, v in kwargs.items()}
    with suspended():
        return fn(*args, **kwargs)
