"""Sweep rows: nn.utils (get_total_norm, the gradient clipping functions, parameters_to_vector,
the BatchNorm fusion weights) over 0-d, empty and non-contiguous inputs against torch. The
module-level utilities (weight_norm, spectral_norm, prune, orthogonal, skip_init, ...) act on
modules, not shaped tensors: tests/test_nn_utils_*.py compare them with torch.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

MU, TU = mg.nn.utils, torch.nn.utils
_PAIRS = [(f(3, 4), f(5)), (f(), f(0)), (f(4, 3, layout="t"), f(2, 5, layout="n"))]

for _p in (2.0, 1.0, 0.5, float("inf"), 3):
    case("nn.utils.get_total_norm", lambda *xs, p=_p: MU.get_total_norm(list(xs), p),
         lambda *xs, p=_p: TU.get_total_norm(list(xs), p), floats() + _PAIRS, tag=str(_p))
    case("nn.utils.get_total_norm",
         lambda *xs, p=_p: MU.get_total_norm(list(xs), p, foreach=False),
         lambda *xs, p=_p: TU.get_total_norm(list(xs), p, foreach=False), _PAIRS,
         tag=f"{_p},loop")


def _clipped(lib, fn, *a):
    """fn(params, *a) on parameters whose gradients are the inputs: (result, new grads)."""
    def run(*gs):
        ps = []
        for g in gs:
            q = lib.zeros(tuple(g.shape), dtype=g.dtype).requires_grad_()
            q.grad = g.detach().clone()
            ps.append(q)
        out = getattr(lib.nn.utils, fn)(ps, *a)
        return tuple(([] if out is None else [out]) + [q.grad for q in ps])
    return run


for _fn, _a in (("clip_grad_norm_", (0.5,)), ("clip_grad_norm_", (10.0, float("inf"))),
                ("clip_grad_value_", (0.3,))):
    case(f"nn.utils.{_fn}", _clipped(mg, _fn, *_a), _clipped(torch, _fn, *_a),
         [s for s in floats() + _PAIRS if not (float("inf") in _a and any(0 in x.shape
                                                                          for x in s))],
         grad=False, tag=str(_a))
case("nn.utils.parameters_to_vector", lambda *xs: MU.parameters_to_vector(xs),
     lambda *xs: TU.parameters_to_vector(xs), floats() + _PAIRS)

_BN = [p(4), f(4), f(4)]             # running_var (positive), bn weight, bn bias
case("nn.utils.fuse_linear_bn_weights",
     lambda w, b, rm, rv, bw, bb: MU.fuse_linear_bn_weights(w, b, rm, rv, 1e-5, bw, bb),
     lambda w, b, rm, rv, bw, bb: TU.fuse_linear_bn_weights(w, b, rm, rv, 1e-5, bw, bb),
     [(f(4, 3), f(4), f(4), *_BN), (f(4, 3, layout="t"), f(4), f(4), *_BN),
      (f(4, 0), f(4), f(4), *_BN), (f(1, 3), f(1), f(4), *_BN)], grad=False)
for _t, _w in ((False, f(4, 3, 2, 2)), (True, f(3, 4, 2)), (False, f(4, 0, 3))):
    case("nn.utils.fuse_conv_bn_weights",
         lambda w, b, rm, rv, bw, bb, t=_t: MU.fuse_conv_bn_weights(w, b, rm, rv, 1e-5, bw, bb,
                                                                    t),
         lambda w, b, rm, rv, bw, bb, t=_t: TU.fuse_conv_bn_weights(w, b, rm, rv, 1e-5, bw, bb,
                                                                    t),
         [(_w, f(4), f(4), *_BN)], grad=False, tag=f"transpose={_t}")
    case("nn.utils.fuse_conv_bn_weights",
         lambda w, rm, rv, t=_t: MU.fuse_conv_bn_weights(w, None, rm, rv, 1e-3, None, None, t),
         lambda w, rm, rv, t=_t: TU.fuse_conv_bn_weights(w, None, rm, rv, 1e-3, None, None, t),
         [(_w, f(4), p(4))], grad=False, tag=f"None,transpose={_t}")
