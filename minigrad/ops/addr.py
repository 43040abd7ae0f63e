"""addr: beta * input + alpha * outer(vec1, vec2), written as that composition (its gradient
follows from its parts). The rules on beta/alpha are torch's: integer and bool results refuse
a float scale, only bool results take a bool one, and beta = 0 ignores input (NaN too).
"""
from __future__ import annotations

import numbers

from ..autocast_state import autocast_op
from ..dtypes import result_type
from .checks import need_tensor, type_name


def _scale(name, v, rt):
    if not isinstance(v, numbers.Number) or isinstance(v, complex):
        raise TypeError(f"addr(): argument '{name}' must be Number, not {type_name(v)}")
    if rt.kind == "b" or rt.kind in "iu":
        if isinstance(v, float) or (hasattr(v, "dtype") and v.dtype.kind == "f"):
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                               "floating point number.")
    if rt.kind != "b" and isinstance(v, bool):
        raise RuntimeError(f"Boolean {name} only supported for Boolean results.")


@autocast_op("addr")
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * (vec1 outer vec2): input broadcast to (len(vec1), len(vec2)),
    promoted as torch; for bool tensors `and`/`or` take the place of * and +. Matches
    torch.addr."""
    for i, (name, t) in enumerate((("input", input), ("vec1", vec1), ("vec2", vec2))):
        need_tensor("addr", t, name, i + 1)
    rt = result_type(input, vec1, vec2)
    _scale("beta", beta, rt)
    _scale("alpha", alpha, rt)
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    n, m = vec1.shape[0], vec2.shape[0]
    try:                                # torch expands input to the outer product's shape
        base = input.expand(n, m)
    except RuntimeError:
        raise RuntimeError(f"addr(): input of shape {list(input.shape)} cannot be expanded to "
                           f"the outer product's shape [{n}, {m}]") from None
    if rt.kind == "b":                  # beta and input or alpha and (vec1 and vec2)
        prod = vec1.to(rt).reshape(n, 1) & vec2.to(rt).reshape(1, m)
        out = (base.to(rt) & bool(beta)) | (prod & bool(alpha))
        return out.contiguous()
    prod = (vec1.to(rt) * alpha).reshape(n, 1) * vec2.to(rt).reshape(1, m)   # torch's order
    if beta == 0:
        return prod.to(rt)
    return (base.to(rt) * beta + prod).to(rt)
