"""Sweep rows: issue 15 normalisation (group/instance/rms/local-response norm, normalize and
their modules, BatchNorm3d).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *


# ---- issue 15: norm ----
def _fn(name, *a, **kw):
    return (lambda *xs: getattr(F, name)(*xs, *a, **kw),
            lambda *xs: getattr(tF, name)(*xs, *a, **kw))


_GN = [(f(0, 4, 3), f(4), f(4)), (f(2, 4, 0), f(4), f(4)), (f(3, 4, layout="t"), f(4), f(4)),
       (f(2, 4, 5, layout="s"), f(4, layout="n"), f(4)), (f(2, 4, 3, 2, layout="t"), f(4), f(4)),
       (f(1, 4), f(4), f(4)), (f(4), f(4), f(4)), (f(), f(4), f(4)), (f(2, 6), f(4), f(4))]
case("F.group_norm", *_fn("group_norm", 2), [s[:1] for s in _GN])
case("F.group_norm", lambda x, w, bb: F.group_norm(x, 2, w, bb, 1e-3),
     lambda x, w, bb: tF.group_norm(x, 2, w, bb, 1e-3), _GN)
case("F.group_norm", *_fn("group_norm", 4), [(f(2, 4),), (f(1, 4, 2),), (f(2, 0),)])
case("F.group_norm", *_fn("group_norm", 3), [(f(2, 4),), (f(1, 3),)])

_IN = [(f(0, 4, 3),), (f(2, 4, 0),), (f(2, 4, 3, layout="t"),), (f(2, 4, 6, layout="s"),),
       (f(2, 4, 3, 2, layout="n"),), (f(2, 4, 1),), (f(4, 3),), (f(3),), (f(),)]
case("F.instance_norm", *_fn("instance_norm"), _IN)
case("F.instance_norm", lambda x, w, bb: F.instance_norm(x, None, None, w, bb, eps=1e-3),
     lambda x, w, bb: tF.instance_norm(x, None, None, w, bb, eps=1e-3),
     [(f(0, 4, 3), f(4), f(4)), (f(2, 4, 3, layout="t"), f(4, layout="n"), f(4)),
      (f(2, 3, 3), f(4), f(4))])
for _u in [True, False]:
    case("F.instance_norm", lambda x, u=_u: F.instance_norm(
        x, mg.zeros(x.shape[1], dtype=mg.float64) + 0.5, mg.ones(x.shape[1], dtype=mg.float64),
        use_input_stats=u, momentum=0.3), lambda x, u=_u: tF.instance_norm(
        x, torch.zeros(x.shape[1]) + 0.5, torch.ones(x.shape[1]), use_input_stats=u,
        momentum=0.3), [(f(2, 4, 3, layout="t"),), (f(2, 4, 0),), (f(4, 3),)], tag=f"u={_u}")

_RMS = [(f(0, 4),), (f(3, 0, 4),), (f(4, 4, layout="t"),), (f(2, 8, layout="s"),),
        (f(2, 4, layout="n"),), (f(4),), (f(),), (f(3, 5),)]
case("F.rms_norm", *_fn("rms_norm", (4,)), _RMS)
case("F.rms_norm", *_fn("rms_norm", [0]), [(f(3, 0),), (f(0),)])
case("F.rms_norm", *_fn("rms_norm", ()), [(f(),), (f(3, 4),)])
case("F.rms_norm", lambda x, w: F.rms_norm(x, (3, 4), w, 1e-3),
     lambda x, w: tF.rms_norm(x, (3, 4), w, 1e-3),
     [(f(0, 3, 4), f(3, 4)), (f(2, 4, 3, layout="t"), f(3, 4, layout="s")), (f(3, 4), f(4, 3))])

_LRN = [(f(0, 3, 4),), (f(2, 0, 4),), (f(2, 3, 0),), (f(2, 3, 4, layout="t"),),
        (f(2, 5, 8, layout="s"),), (f(2, 3, 2, 2, layout="n"),), (f(2, 3, 2, 2, 2),),
        (f(3, 4),), (f(),)]     # int64 input: tests/test_norm_layers.py (a float32 result)
case("F.local_response_norm", *_fn("local_response_norm", 3), _LRN)
case("F.local_response_norm", *_fn("local_response_norm", 2, 0.5, 0.6, 2.0), _LRN[3:7])
case("F.local_response_norm", *_fn("local_response_norm", 8, alpha=1.0), _LRN[3:5])
case("F.local_response_norm", *_fn("local_response_norm", 0), [(f(2, 3, 4),), (f(0, 3, 4),)])

_NORMALIZE = [(f(0, 5),), (f(3, 0),), (f(3, 0, 2),), (f(4, 3, layout="t"),),
              (f(3, 4, layout="s"),), (f(2, 5, layout="n"),), (f(3),), (f(),)]
case("F.normalize", F.normalize, tF.normalize, _NORMALIZE)
for _a in [(1, 0), (float("inf"), -1), (3.0, (0, -1)), (0.5, 0, 0.1), (None, None)]:
    case("F.normalize", *_fn("normalize", *_a), _NORMALIZE[:6] + [(f(),)], tag=repr(_a))
case("F.normalize", lambda x: F.normalize(x * 0), lambda x: tF.normalize(x * 0),
     [(f(3, 4),)], tag="zeros")

# ---- modules ----
_TR = [True, False]
module_case("GroupNorm", lambda nn: nn.GroupNorm(2, 4), [s[:1] for s in _GN])
module_case("GroupNorm", lambda nn: nn.GroupNorm(2, 4, affine=False), [(f(0, 4),), (f(3, 4),)])
module_case("GroupNorm", lambda nn: nn.GroupNorm(4, 4, bias=False), [(f(2, 4, 3),)])
for _tr in _TR:
    for _kw in [{}, {"affine": True}, {"track_running_stats": True},
                {"affine": True, "track_running_stats": True, "momentum": None}]:
        _tag = ",".join(f"{k}={v}" for k, v in _kw.items())
        module_case("InstanceNorm1d", lambda nn, kw=_kw: nn.InstanceNorm1d(4, **kw),
                    [(f(0, 4, 3),), (f(2, 4, 3, layout="t"),), (f(4, 5),), (f(2, 4, 0),),
                     (f(4, 1),), (f(2, 4, 3, 2),), (f(4),)], train=_tr, tag=_tag)
        module_case("InstanceNorm2d", lambda nn, kw=_kw: nn.InstanceNorm2d(3, **kw),
                    [(f(2, 3, 2, 3, layout="t"),), (f(3, 2, 2),), (f(0, 3, 2, 2),)],
                    train=_tr, tag=_tag)
        module_case("InstanceNorm3d", lambda nn, kw=_kw: nn.InstanceNorm3d(3, **kw),
                    [(f(2, 3, 2, 2, 3, layout="s"),), (f(3, 2, 1, 2),), (f(3, 2, 2),)],
                    train=_tr, tag=_tag)
    module_case("BatchNorm3d", lambda nn: nn.BatchNorm3d(3),
                [(f(0, 3, 2, 2, 2),), (f(2, 3, 2, 2, 2, layout="t"),), (f(2, 3, 0, 2, 2),),
                 (f(3, 2, 2, 2),)], train=_tr)
module_case("RMSNorm", lambda nn: nn.RMSNorm(4), _RMS)
module_case("RMSNorm", lambda nn: nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False),
            [(f(0, 3, 4),), (f(2, 4, 3, layout="t"),), (f(3, 4),)])
module_case("LocalResponseNorm", lambda nn: nn.LocalResponseNorm(3), _LRN)
module_case("LocalResponseNorm", lambda nn: nn.LocalResponseNorm(2, 0.5, 0.6, 2.0), _LRN[3:7])
