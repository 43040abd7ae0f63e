"""Sweep rows: the legacy typed constructors (mg.FloatTensor, ...), Tensor.new, mg.Size,
empty_permuted, linalg.ldl_factor/ldl_factor_ex/ldl_solve, geqrf and ormqr over 0-d, empty,
batched and non-contiguous inputs against torch. mg.dtype, mg.layout and
set_default_tensor_type are type objects and global state: tests/test_gaps_types.py.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

from sweep_table import *

warnings.filterwarnings("ignore", message=".*set_default_tensor_type.*")

_LEGACY = {"Float": "float", "Double": "double", "Half": "half", "Long": "long", "Int": "int",
           "Short": "short", "Char": "char", "Byte": "byte", "Bool": "bool"}


def _data(x):
    """x's values as nested lists, made non-negative (negative floats to uint8 are undefined
    in C, so torch's result there is not a specification)."""
    x = x.detach()
    return (x.abs() if x.is_floating_point() else x).tolist()


_DATA = floats((2, 3)) + [(i(4, 3),), (b(5, 2),)]
for _n, _cast in _LEGACY.items():
    _name = f"{_n}Tensor"
    # from data: the input's values (as a list; 0-d gives a scalar, which both refuse)
    case(f"mg.{_name}", lambda x, n=_name: getattr(mg, n)(_data(x)),
         lambda x, n=_name: getattr(torch, n)(_data(x)), _DATA, grad=False)
    # from sizes: uninitialized, so shapes and dtypes only
    case(f"mg.{_name}", lambda x, n=_name: getattr(mg, n)(*x.shape),
         lambda x, n=_name: getattr(torch, n)(*x.shape), _DATA, values=False, tag="sizes")
    # from a tensor of its own dtype: an alias
    case(f"mg.{_name}", lambda x, n=_name, c=_cast: getattr(mg, n)(getattr(x, c)()),
         lambda x, n=_name, c=_cast: getattr(torch, n)(getattr(x, c)()), _DATA, grad=False,
         tag="tensor")
case("Tensor.new", lambda x: x.new(x.detach().tolist()), lambda x: x.new(x.detach().tolist()),
     _DATA, grad=False)
case("Tensor.new", lambda x: x.new(x.shape), lambda x: x.new(x.shape), _DATA, values=False,
     tag="size")
case("Tensor.new", lambda x: x.new(), lambda x: x.new(), _DATA, tag="empty")
case("Tensor.new", lambda x: x.new(x), lambda x: x.new(x), _DATA, tag="alias")
case("mg.Size", lambda x: mg.Size(x.shape) + (1,) + mg.Size([x.ndim]),
     lambda x: torch.Size(x.shape) + (1,) + torch.Size([x.ndim]), _DATA)
case("mg.Size", lambda x: (mg.Size(x.shape)[1:] * 2, mg.Size(x.shape).numel()),
     lambda x: (torch.Size(x.shape)[1:] * 2, torch.Size(x.shape).numel()), _DATA, tag="ops")
for _size, _perm in (((2, 3, 4), (0, 2, 1)), ((2, 0, 3), (1, 2, 0)), ((), ()), ((5,), (0,)),
                     ((2, 3), (0, 0)), ((2, 3), (0, 2)), ((2, 3), (0,)), ((2, -3), (1, 0))):
    case("mg.empty_permuted",
         lambda s=_size, q=_perm: (lambda t: (t, t.stride()))(
             mg.empty_permuted(s, q, dtype=mg.float64)),
         lambda s=_size, q=_perm: (lambda t: (t, t.stride()))(
             torch.empty_permuted(s, q, dtype=torch.float64)), [()], values=False,
         tag=f"{_size},{_perm}")
SKIP_MORE["mg.dtype"] = "a type (isinstance checks): tests/test_gaps_types.py"
SKIP_MORE["mg.layout"] = "a type (isinstance checks): tests/test_gaps_types.py"
SKIP_MORE["mg.set_default_tensor_type"] = "global state: tests/test_gaps_types.py"


# ---- LDL^T and Householder QR -----------------------------------------------------------
def _sym(x):
    return x + x.mT if x.ndim >= 2 else x


_SQ = [(f(3, 3),), (f(2, 4, 4),), (f(0, 0),), (f(2, 0, 0),), (f(4, 4, layout="t"),),
       (f(),), (f(3),), (f(2, 3),), (i(3, 3),)]
case("mg.linalg.ldl_factor", lambda x: tuple(mg.linalg.ldl_factor(_sym(x.detach()))),
     lambda x: tuple(torch.linalg.ldl_factor(_sym(x.detach()))), _SQ, grad=False)
case("mg.linalg.ldl_factor_ex", lambda x: tuple(mg.linalg.ldl_factor_ex(_sym(x.detach()))),
     lambda x: tuple(torch.linalg.ldl_factor_ex(_sym(x.detach()))), _SQ, grad=False)
_SOLVE = [(f(3, 3), f(3, 2)), (f(2, 4, 4), f(2, 4, 1)), (f(3, 3), f(2, 3, 2)),
          (f(0, 0), f(0, 2)), (f(3, 3, layout="t"), f(2, 3, layout="t")), (f(3, 3), f(3)),
          (f(3, 3), f(2, 2)), (f(3, 3), f(3, 0))]


def _ldl_solve(L):
    def run(a, b):
        ld, piv = L.linalg.ldl_factor(_sym(a.detach()) + 4 * L.eye(a.shape[-1],
                                                                   dtype=a.dtype))
        return L.linalg.ldl_solve(ld, piv, b.detach())
    return run


case("mg.linalg.ldl_solve", _ldl_solve(mg), _ldl_solve(torch), _SOLVE, grad=False)
_ANY = [(f(4, 3),), (f(3, 4),), (f(2, 3, 3, layout="t"),), (f(0, 3),), (f(2, 3, 0),),
        (f(),), (f(3),), (i(3, 3),)]
both("geqrf", [(_ANY, {})], grad=False)
_ORMQR = [(f(4, 3), f(3), f(4, 2)), (f(2, 4, 2), f(2, 2), f(2, 4, 3)),
          (f(4, 3, layout="t"), f(3), f(4, 4, layout="s")),
          (f(4, 3), f(2), f(4, 2)), (f(3, 0), f(0), f(3, 2)),
          (f(4, 3), f(3), f(4, 0)), (f(4, 3), f(3), f(3, 2)), (f(4), f(1), f(4, 2))]
for _left, _tr in ((True, False), (True, True), (False, False), (False, True)):
    _rows = _ORMQR if _left else [(a, t, Spec(c.kind, c.shape[:-2] + c.shape[:-3:-1], c.layout))
                                  for a, t, c in _ORMQR]
    both("ormqr", [(_rows, {"left": _left, "transpose": _tr})])
case("Tensor.orgqr", lambda a, t: a.orgqr(t), lambda a, t: a.orgqr(t),
     [(f(4, 3), f(2)), (f(2, 3, 3, layout="t"), f(2, 3)), (f(3, 0), f(0)), (f(3, 4), f(2))])
