"""Sweep rows: Tensor.unfold, where, sum_to_size, fill_diagonal_, the in-place aliases and
the in-place random fills (values=False: shapes and dtypes), over 0-d, empty,
non-contiguous and integer inputs against torch. The layout queries (stride, is_contiguous,
storage_offset, ...) return no tensor: tests/test_tensor_layout.py compares them.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

_ROWS = floats((7,), (5, 3)) + [(i(4, 3),), (b(5, 3),)]
for _args in ((0, 1, 1), (-1, 2, 1), (0, 2, 3), (0, 0, 1)):
    case("Tensor.unfold", lambda x, a=_args: x.unfold(*a), lambda x, a=_args: x.unfold(*a),
         _ROWS, tag=str(_args))
case("Tensor.where", lambda x, c: x.where(c, 0.5), lambda x, c: x.where(c, 0.5),
     [(f(*s), b(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), b(4, 3)),
                                        (f(3, 4), b(4))])
case("Tensor.sum_to_size", lambda x: x.sum_to_size(*[1] * x.ndim),
     lambda x: x.sum_to_size(*[1] * x.ndim), _ROWS)
case("Tensor.sum_to_size", lambda x: x.sum_to_size(x.shape[-1:]),
     lambda x: x.sum_to_size(x.shape[-1:]), _ROWS, tag="last")
inplace("fill_diagonal_", [(f(3, 3),), (f(4, 3, layout="t"),), (f(3, 3, 3),), (f(0, 0),),
                           (f(5, 2),), (i(3, 3),), (b(2, 2),), (f(),), (f(3),)], 2.0)
inplace("fill_diagonal_", [(f(7, 3),), (f(3, 7, layout="t"),)], -1.0, wrap=True)
for _n in ("multiply_", "subtract_", "divide_"):
    inplace(_n, [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3)),
                                                  (f(3, 4), f(4)), (i(3, 4), i(3, 4)),
                                                  (f(3, 4), i(3, 4))])
for _n, _a in (("random_", (0, 7)), ("geometric_", (0.4,)), ("cauchy_", ()),
               ("log_normal_", ())):
    case(f"Tensor.{_n}", lambda x, n=_n, a=_a: getattr(x.detach(), n)(*a),
         lambda x, n=_n, a=_a: getattr(x.detach(), n)(*a),
         floats() + [(i(3, 4),), (b(2, 3),)], grad=False, values=False)
for _n in ("stride", "is_contiguous", "storage_offset", "element_size", "nelement",
           "ndimension", "get_device", "type", "is_cpu", "itemsize", "nbytes",
           "retains_grad"):
    SKIP_MORE[f"Tensor.{_n}"] = "layout metadata, no tensor result (tests/test_tensor_layout.py)"
for _n in ("byte", "char", "short"):
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(), lambda x, n=_n: getattr(x, n)(),
         floats() + [(i(3, 4),), (b(2, 3),)])
case("Tensor.detach_", lambda x: (x * 1).detach_(), lambda x: (x * 1).detach_(), floats())
SKIP_MORE["mg.Generator"] = "random streams, not shaped tensors (tests/test_generator.py)"
SKIP_MORE["mg.seed"] = "RNG API, no arguments (tests/test_generator.py)"
SKIP_MORE["mg.initial_seed"] = "RNG API, no arguments (tests/test_generator.py)"
SKIP_MORE["mg.memory_format"] = "the memory formats' class; their strides are compared with " \
    "torch's in tests/test_memory_format.py"
