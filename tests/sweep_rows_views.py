"""Sweep rows: the in-place view ops (t_, transpose_, squeeze_, unsqueeze_, as_strided_,
resize_, ...), as_strided, the scatter forms, the view-copy functions and the unsafe splits,
over 0-d, empty, non-contiguous and integer inputs against torch. Strides, aliasing and
version counters are compared in tests/test_inplace_views.py and tests/test_view_copy.py.

The sweep gives torch contiguous copies of the non-contiguous inputs, so the rows that read
memory (as_strided, resize_) first make minigrad's input contiguous too.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

_ANY = floats((1, 3, 1), (2, 1)) + [(i(4, 3),), (b(1, 3),), (i(2, 3, layout="t"),)]

# ---- in-place view ops, on a non-leaf (x * 1) so the gradient flows through the rebound view
for _n, _a in (("t_", ()), ("transpose_", (0, -1)), ("swapdims_", (-1, 0)),
               ("swapaxes_", (0, -1)), ("squeeze_", ()), ("squeeze_", (0,)),
               ("squeeze_", ((0, -1),)), ("unsqueeze_", (0,)), ("unsqueeze_", (-1,))):
    case(f"Tensor.{_n}", lambda x, n=_n, a=_a: getattr(x * 1, n)(*a),
         lambda x, n=_n, a=_a: getattr(x * 1, n)(*a), _ANY, tag=repr(_a))


def _strided_args(x):
    """Overlapping windows of 2 over the flat tensor, and the tail from offset 1."""
    n = x.numel()
    return [((max(n - 1, 0), 2), (1, 1)), ((max(n - 1, 0),), (1,), min(n, 1))]


for _k in range(2):
    case("mg.as_strided",
         lambda x, k=_k: mg.as_strided(x.contiguous(), *_strided_args(x)[k]),
         lambda x, k=_k: torch.as_strided(x.contiguous(), *_strided_args(x)[k]), _ANY,
         tag=str(_k))
    case("Tensor.as_strided",
         lambda x, k=_k: x.contiguous().as_strided(*_strided_args(x)[k]),
         lambda x, k=_k: x.contiguous().as_strided(*_strided_args(x)[k]), _ANY, tag=str(_k))
    case("Tensor.as_strided_",
         lambda x, k=_k: (x * 1).contiguous().as_strided_(*_strided_args(x)[k]),
         lambda x, k=_k: (x * 1).contiguous().as_strided_(*_strided_args(x)[k]), _ANY,
         tag=str(_k))
    case("mg.as_strided_copy",
         lambda x, k=_k: mg.as_strided_copy(x.contiguous(), *_strided_args(x)[k]),
         lambda x, k=_k: torch.as_strided_copy(x.contiguous(), *_strided_args(x)[k]), _ANY,
         tag=str(_k))

# as_strided_scatter: torch's gradient for input is wrong (tests/test_view_copy.py): only
# src's gradient is compared here
_ASS = [((f(3, 4, grad=False), f(2, 3)), ((2, 3), (4, 1), 1)),
        ((f(3, 4, grad=False), f(3, 2)), ((3, 2), (1, 3), 0)),
        ((f(grad=False), f()), ((), (), 0)), ((f(0, 5, grad=False), f(0)), ((0,), (1,), 0)),
        ((i(3, 4), i(2, 2)), ((2, 2), (1, 1), 2))]
for _specs, _a in _ASS:
    case("mg.as_strided_scatter", lambda x, s, a=_a: mg.as_strided_scatter(x, s, *a),
         lambda x, s, a=_a: torch.as_strided_scatter(x, s, *a), [_specs], tag=repr(_a))
    case("Tensor.as_strided_scatter", lambda x, s, a=_a: x.as_strided_scatter(s, *a),
         lambda x, s, a=_a: x.as_strided_scatter(s, *a), [_specs], tag=repr(_a))

# ---- the scatter forms: differentiable in input and src --------------------------------------
_SCATTER = {
    "diagonal_scatter": [((f(4, 3), f(3)), ()), ((f(3, 4, layout="t"), f(2)), (1,)),
                         ((f(2, 3, 4), f(2, 4, 2)), (0, 1, 2)), ((f(0, 5), f(0)), ()),
                         ((f(3, 3), f(2)), (-1,)), ((i(3, 3), f(3)), ()), ((f(4, 3), f(2)), ())],
    "select_scatter": [((f(4, 3), f(3)), (0, 1)), ((f(3, 4, layout="s"), f(3)), (1, -1)),
                       ((f(3, 0, 2), f(3, 2)), (1, 0)), ((f(4,), f()), (0, 2)),
                       ((i(4, 3), i(3)), (0, 0)), ((f(), f()), (0, 0)),
                       ((f(4, 3), f(3)), (0, 4))],
    "slice_scatter": [((f(4, 3), f(2, 3)), (0, 1, 3)), ((f(4, 3, layout="t"), f(4, 2)),
                                                        (1, None, None, 2)),
                      ((f(5,), f(2)), (0, -2)), ((f(0, 5), f(0, 5)), ()),
                      ((f(3, 0, 2), f(3, 0, 1)), (2, 1)), ((i(4, 3), i(4, 1)), (1, 2)),
                      ((f(4, 3), f(2, 3)), (0, 0, 3)), ((f(), f()), ())],
}
for _n, _rows in _SCATTER.items():
    for _specs, _a in _rows:
        case(f"mg.{_n}", lambda x, s, n=_n, a=_a: getattr(mg, n)(x, s, *a),
             lambda x, s, n=_n, a=_a: getattr(torch, n)(x, s, *a), [_specs], tag=repr(_a))
        case(f"Tensor.{_n}", lambda x, s, n=_n, a=_a: getattr(x, n)(s, *a),
             lambda x, s, n=_n, a=_a: getattr(x, n)(s, *a), [_specs], tag=repr(_a))

# ---- the view-copy functions (a contiguous copy of the view) ---------------------------------
case("mg.detach_copy", mg.detach_copy, torch.detach_copy, _ANY, grad=False)
case("mg.detach_copy", lambda x: mg.detach_copy(x).requires_grad,
     lambda x: torch.detach_copy(x).requires_grad, floats(), tag="requires_grad")
_COPIES = {"alias_copy": (), "t_copy": (), "squeeze_copy": (),
           "unsqueeze_copy": (0,), "transpose_copy": (0, -1), "permute_copy": None,
           "diagonal_copy": (), "select_copy": (0, 0), "slice_copy": (-1, 0, None, 2),
           "narrow_copy": (-1, 0, 1), "unfold_copy": (0, 1, 1), "expand_copy": None,
           "view_copy": ((-1,),), "unbind_copy": (), "split_copy": (2,),
           "split_with_sizes_copy": None}
for _n, _a in _COPIES.items():
    if _a is None:
        continue
    case(f"mg.{_n}", lambda x, n=_n, a=_a: getattr(mg, n)(x, *a),
         lambda x, n=_n, a=_a: getattr(torch, n)(x, *a), _ANY, tag=repr(_a))
case("mg.permute_copy", lambda x: mg.permute_copy(x, tuple(range(x.ndim))[::-1]),
     lambda x: torch.permute_copy(x, tuple(range(x.ndim))[::-1]), _ANY)
case("mg.expand_copy", lambda x: mg.expand_copy(x, (2,) + tuple(x.shape)),
     lambda x: torch.expand_copy(x, (2,) + tuple(x.shape)), _ANY)
case("mg.view_copy", lambda x: mg.view_copy(x, mg.int64),
     lambda x: torch.view_copy(x, torch.int64), floats(), grad=False, tag="dtype")
case("mg.split_with_sizes_copy", lambda x: mg.split_with_sizes_copy(x, [1, x.shape[0] - 1]),
     lambda x: torch.split_with_sizes_copy(x, [1, x.shape[0] - 1]), floats((4, 3)))
case("Tensor.narrow_copy", lambda x: x.narrow_copy(0, 1, 1), lambda x: x.narrow_copy(0, 1, 1),
     _ANY)

# ---- split_with_sizes and the unsafe splits --------------------------------------------------
_SPLITS = floats((4, 3), (5, 2)) + [(i(4, 3),)]
both("split_with_sizes", [(_SPLITS, {"split_sizes": [1, 1, 1]})])
both("split_with_sizes", [([(f(4, 3),), (f(4, 2, layout="t"),)], {"split_sizes": [1, 3]})])
both("unsafe_split_with_sizes", [(_SPLITS, {"split_sizes": [1, 1, 1]})])
both("unsafe_split", [(_SPLITS, {"split_size": 2}), (_SPLITS, {"split_size": 2, "dim": -1})])
both("unsafe_chunk", [(_SPLITS, {"chunks": 2}), (_SPLITS, {"chunks": 3, "dim": -1})])

# ---- resize_ and friends: over a contiguous copy (resize_ reads memory order) ---------------
for _shape in ((-1,), (2,), (1, 1), (0,)):
    def _resize(x, s=_shape):
        y = x.detach().contiguous().clone()
        y.resize_(*(x.numel() if d == -1 else d for d in s))
        kept = min(x.numel(), y.numel())     # (new elements are uninitialized in torch)
        return y.reshape(-1)[:kept], y.shape, y._version
    case("Tensor.resize_", _resize, _resize, _ANY, tag=repr(_shape), grad=False)
case("Tensor.resize_", lambda x: x.detach().clone().resize_(3, 7).shape,
     lambda x: x.detach().clone().resize_(3, 7).shape, _ANY, tag="grow", grad=False)
case("Tensor.resize_as_", lambda x: x.detach().contiguous().clone().resize_as_(x.reshape(-1)),
     lambda x: x.detach().contiguous().clone().resize_as_(x.reshape(-1)), _ANY, grad=False)
case("Tensor.resize", lambda x: x.resize(x.numel()), lambda x: x.resize(x.numel()), _ANY)
case("Tensor.resize_as", lambda x: x.resize_as(x.reshape(-1)),
     lambda x: x.resize_as(x.reshape(-1)), _ANY)

# ---- empty_strided: uninitialized memory, shapes and dtypes only ------------------------------
case("mg.empty_strided", lambda: mg.empty_strided((2, 3), (1, 2), dtype=mg.float64),
     lambda: torch.empty_strided((2, 3), (1, 2), dtype=torch.float64), [()], values=False)
case("Tensor.new_empty_strided", lambda x: x.new_empty_strided((2, 3), (1, 2)),
     lambda x: x.new_empty_strided((2, 3), (1, 2)), _ANY, values=False)
