"""Sweep rows: matmul, conversions, creation, losses, conv, pooling, attention, nn modules.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *
from sweep_table import _cat, _pos15  # noqa: F401
from sweep_rows_core import *


# linalg
MATMUL = [(f(0), f(0)), (f(3, 0), f(0, 4)), (f(0, 3), f(3, 4)), (f(3, 4), f(4, 0)),
          (f(0, 3), f(3)), (f(3), f(3, 0)), (f(2, 0, 3), f(3, 4)), (f(0, 2, 3), f(0, 3, 4)),
          (f(0,), f(0, 4)), (f(4, 3, layout="t"), f(3, 5, layout="s")), (f(), f(3)),
          (f(3), f()), (f(2, 5, layout="n"), f(5, 2, layout="t"))]
both("matmul", [(MATMUL, {})])
case("Tensor.__matmul__", lambda x, y: x @ y, lambda x, y: x @ y, MATMUL[:6])
case("F.linear", F.linear, tF.linear,
     [(f(0, 3), f(4, 3), f(4)), (f(2, 0, 3), f(4, 3), f(4)), (f(5, 0), f(4, 0), f(4)),
      (f(3), f(4, 3), f(4)), (f(3), f(3), f()), (f(4, 3, layout="t"), f(2, 3, layout="s"), f(2)),
      (f(0, 3), f(0, 3), f(0))])


# conversions and attributes
def _cast(name):
    case(f"Tensor.{name}", lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), SHAPED,
         grad=name in ("float", "double", "half"))


for _n in ["float", "double", "long", "int", "bool", "half"]:
    _cast(_n)
case("Tensor.to", lambda x: x.to(mg.float32), lambda x: x.to(torch.float32), SHAPED)
case("Tensor.type_as", lambda x, k: x.type_as(k), lambda x, k: x.type_as(k),
     [(f(), i()), (f(0, 5), i(0))])
case("Tensor.cpu", lambda x: x.cpu(), lambda x: x.cpu(), SHAPED)
for _n in ["numel", "dim", "size", "tolist", "__len__", "item", "numpy", "__bool__",
           "__float__", "__int__"]:
    case(f"Tensor.{_n}",
         lambda x, n=_n: getattr(x.detach(), n)(), lambda x, n=_n: getattr(x.detach(), n)(),
         [(f(),), (f(0),), (f(0, 5),), (f(1),), (f(4, 3, layout="t"),)], grad=False)
case("Tensor.size", lambda x: x.size(-1), lambda x: x.size(-1),
     [(f(),), (f(0, 5),), (f(3, 0, 2),)])
for _n in ["shape", "ndim", "dtype"]:
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n), lambda x, n=_n: getattr(x, n),
         SHAPED, grad=False)
case("mg.numel", mg.numel, torch.numel, SHAPED)
case("mg.is_tensor", mg.is_tensor, torch.is_tensor, [(f(),)])
for _n in ["zero_", "fill_", "copy_"]:
    _a = {"zero_": (), "fill_": (2.5,), "copy_": None}[_n]
    if _a is None:
        case(f"Tensor.{_n}", lambda x, y: x.detach().copy_(y.detach()),
             lambda x, y: x.detach().copy_(y.detach()),
             [(f(*s), f(*s)) for s in EMPTY] + [(f(0, 5), f(5)), (f(4, 3, layout="t"), f())])
    else:
        case(f"Tensor.{_n}", lambda x, a=_a, n=_n: getattr(x.detach(), n)(*a),
             lambda x, a=_a, n=_n: getattr(x.detach(), n)(*a), SHAPED)

# creation
SIZES = [(), (0,), (0, 5), (3, 0, 2)]
for _n in ["zeros", "ones", "empty", "rand", "randn"]:
    for _s in SIZES:
        case(f"mg.{_n}", lambda n=_n, s=_s: getattr(mg, n)(*s),
             lambda n=_n, s=_s: getattr(torch, n)(*s, dtype=torch.float32), [()],
             values=_n in ("zeros", "ones"), tag=f"*{_s}")
        case(f"mg.{_n}", lambda n=_n, s=_s: getattr(mg, n)(s),
             lambda n=_n, s=_s: getattr(torch, n)(s, dtype=torch.float32), [()],
             values=_n in ("zeros", "ones"), tag=f"{_s}")
for _s in SIZES:
    case("mg.full", lambda s=_s: mg.full(s, 1.5), lambda s=_s: torch.full(s, 1.5,
         dtype=torch.float32), [()], tag=f"{_s}")
    case("mg.randint", lambda s=_s: mg.randint(0, 3, s), lambda s=_s: torch.randint(0, 3, s),
         [()], values=False, tag=f"{_s}")
for _n in ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]:
    case(f"mg.{_n}", getattr(mg, _n), getattr(torch, _n), SHAPED, values=_n in ("zeros_like",
                                                                                "ones_like"))
case("mg.full_like", lambda x: mg.full_like(x, 2.0), lambda x: torch.full_like(x, 2.0), SHAPED)
case("mg.arange", lambda: mg.arange(0), lambda: torch.arange(0), [()])
case("mg.arange", lambda: mg.arange(2, 2, dtype=mg.float64),
     lambda: torch.arange(2, 2, dtype=torch.float64), [()])
case("mg.linspace", lambda: mg.linspace(0, 1, 0), lambda: torch.linspace(0, 1, 0,
     dtype=torch.float32), [()])
case("mg.linspace", lambda: mg.linspace(0, 1, 1), lambda: torch.linspace(0, 1, 1,
     dtype=torch.float32), [()])
case("mg.eye", lambda: mg.eye(0), lambda: torch.eye(0, dtype=torch.float32), [()])
case("mg.eye", lambda: mg.eye(0, 3), lambda: torch.eye(0, 3, dtype=torch.float32), [()])
case("mg.randperm", lambda: mg.randperm(0), lambda: torch.randperm(0), [()])
case("mg.tensor", lambda: mg.tensor([]), lambda: torch.tensor([], dtype=torch.float32), [()])
case("mg.tensor", lambda: mg.tensor(2.5), lambda: torch.tensor(2.5, dtype=torch.float32), [()])
case("mg.tensor", lambda: mg.tensor([[]]), lambda: torch.tensor([[]], dtype=torch.float32),
     [()])
case("mg.tensor", lambda x: mg.tensor(x.detach().numpy()),
     lambda x: torch.tensor(x.detach().numpy()), SHAPED)
for _n in ["from_numpy", "as_tensor"]:     # minigrad's arrays are views; torch's are not
    case(f"mg.{_n}", lambda x, n=_n: getattr(mg, n)(x.detach().numpy()),
         lambda x, n=_n: getattr(torch, n)(x.detach().numpy()),
         [r for r in floats() if r[0].layout != "n"] + [(i(0, 5),), (b(),)])
# torch's inputs are contiguous copies: the views are taken here, on both sides alike
for _tag, _view in [("T", lambda a: a.T), ("::2", lambda a: a[..., ::2]),
                    ("::-1", lambda a: a[..., ::-1])]:
    for _n in ["from_numpy", "as_tensor", "tensor"]:
        case(f"mg.{_n}", lambda x, n=_n, v=_view: getattr(mg, n)(v(x.detach().numpy())),
             lambda x, n=_n, v=_view: getattr(torch, n)(v(x.detach().numpy())),
             [(f(3, 4),), (f(0, 5),), (f(),)] if _tag == "T" else [(f(3, 4),), (f(0, 5),)],
             tag=_tag)
case("mg.as_tensor", lambda x: mg.as_tensor(x.detach().numpy(), dtype=mg.float32),
     lambda x: torch.as_tensor(x.detach().numpy(), dtype=torch.float32), SHAPED)

# activations (F and the mg/Tensor names above)
for _n in ["relu", "sigmoid", "tanh", "gelu", "silu", "logsigmoid", "softplus"]:
    case(f"F.{_n}", getattr(F, _n), getattr(tF, _n), floats())
case("F.gelu", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: tF.gelu(x, approximate="tanh"), floats())

# dropout family: deterministic settings compare values; random ones compare shape/dtype
for _p, _tr in [(0.0, True), (0.5, False), (1.0, True)]:
    case("F.dropout", lambda x, pp=_p, tr=_tr: F.dropout(x, pp, tr),
         lambda x, pp=_p, tr=_tr: tF.dropout(x, pp, tr), floats())
case("F.dropout", lambda x: F.dropout(x, 0.5), lambda x: tF.dropout(x, 0.5), floats(),
     values=False)
case("F.drop_path", lambda x: F.drop_path(x, 0.5, training=False), lambda x: x * 1, floats())
case("F.drop_path", lambda x: F.drop_path(x, 0.0, training=True), lambda x: x * 1, floats())
case("F.drop_path", lambda x: F.drop_path(x, 0.5, training=True), lambda x: x * 1,
     floats()[1:], values=False)
case("F.gumbel_softmax", lambda x: F.gumbel_softmax(x), lambda x: tF.gumbel_softmax(x),
     [(f(0, 5),), (f(3, 0, 2),), (f(4, 3, layout="t"),), (f(),)], values=False)
case("F.gumbel_softmax", lambda x: F.gumbel_softmax(x, hard=True),
     lambda x: tF.gumbel_softmax(x, hard=True), [(f(0, 5),), (f(4, 3, layout="t"),)],
     values=False)

# normalisation
case("F.layer_norm", lambda x, w, bb: F.layer_norm(x, (4,), w, bb),
     lambda x, w, bb: tF.layer_norm(x, (4,), w, bb),
     [(f(0, 4), f(4), f(4)), (f(3, 0, 4), f(4), f(4)), (f(4, 4, layout="t"), f(4), f(4)),
      (f(2, 8, layout="s"), f(4, layout="n"), f(4))])
case("F.layer_norm", lambda x: F.layer_norm(x, (0,)), lambda x: tF.layer_norm(x, (0,)),
     [(f(3, 0),), (f(0),)])
case("F.layer_norm", lambda x: F.layer_norm(x, ()), lambda x: tF.layer_norm(x, ()),
     [(f(),), (f(0, 4),)])
case("F.layer_norm", lambda x: F.layer_norm(x, (4,)), lambda x: tF.layer_norm(x, (4,)),
     [(f(),), (f(0, 4),)])
for _tr in [True, False]:
    case("F.batch_norm", lambda x, w, bb, tr=_tr: F.batch_norm(
        x, mg.zeros(x.shape[1], dtype=mg.float64), mg.ones(x.shape[1], dtype=mg.float64), w, bb,
        training=tr), lambda x, w, bb, tr=_tr: tF.batch_norm(
        x, torch.zeros(x.shape[1]), torch.ones(x.shape[1]), w, bb, training=tr),
        [(f(0, 4), f(4), f(4)), (f(0, 4, 3), f(4), f(4)), (f(2, 4, 0), f(4), f(4)),
         (f(5, 4, layout="t"), f(4), f(4))])

# losses
for _red in ["mean", "sum", "none"]:
    for _n in ["cross_entropy", "nll_loss"]:
        case(f"F.{_n}", lambda x, t, n=_n, r=_red: getattr(F, n)(x, t, reduction=r),
             lambda x, t, n=_n, r=_red: getattr(tF, n)(x, t, reduction=r),
             [(f(0, 5), i(0)), (f(0, 5, 2), i(0, 2)), (f(3, 5, 0), i(3, 0)),
              (f(5), i()), (f(5, 4, layout="t"), i(5, layout="s")), (f(3, 0), i(3))])
    case("F.cross_entropy", lambda x, t, r=_red: F.cross_entropy(x, t, reduction=r),
         lambda x, t, r=_red: tF.cross_entropy(x, t, reduction=r),
         [(f(0, 5), p(0, 5)), (f(0, 5, 2), p(0, 5, 2)), (f(5), p(5)),
          (f(4, 3, layout="t"), p(4, 3))])
    case("F.cross_entropy", lambda x, t, r=_red: F.cross_entropy(x, t, reduction=r,
                                                                 label_smoothing=0.1),
         lambda x, t, r=_red: tF.cross_entropy(x, t, reduction=r, label_smoothing=0.1),
         [(f(0, 5), i(0)), (f(5, 4, layout="t"), i(5))])
    for _n in ["mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy_with_logits"]:
        case(f"F.{_n}", lambda x, t, n=_n, r=_red: getattr(F, n)(x, t, reduction=r),
             lambda x, t, n=_n, r=_red: getattr(tF, n)(x, t, reduction=r),
             [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3, layout="s"))])
    case("F.binary_cross_entropy", lambda x, t, r=_red: F.binary_cross_entropy(x, t, reduction=r),
         lambda x, t, r=_red: tF.binary_cross_entropy(x, t, reduction=r),
         [(p(*s), p(*s)) for s in EMPTY] + [(p(4, 3, layout="t"), p(4, 3, layout="s"))])
    case("F.kl_div", lambda x, t, r=_red: F.kl_div(x, t, reduction=r),
         lambda x, t, r=_red: tF.kl_div(x, t, reduction=r),
         [(f(*s), p(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), p(4, 3, layout="s"))])
case("F.kl_div", lambda x, t: F.kl_div(x, t, reduction="batchmean"),
     lambda x, t: tF.kl_div(x, t, reduction="batchmean"), [(f(0, 5), p(0, 5)), (f(), p())])

# conv and pooling
CONV = [(f(0, 3, 5, 5), f(4, 3, 3, 3), f(4)), (f(2, 3, 5, 5, layout="t"), f(4, 3, 3, 3), f(4)),
        (f(2, 3, 5, 10, layout="s"), f(4, 3, 3, 3, layout="t"), f(4)),
        (f(3, 5, 5), f(4, 3, 3, 3), f(4)),
        (f(2, 3, 0, 5), f(4, 3, 3, 3), f(4)), (f(2, 3, 5, 5), f(0, 3, 3, 3), f(0))]
# conv2d with 0 input channels: torch returns an empty (N, 0, H, W) result (a quirk), minigrad
# raises (tests/test_conv_nd.py).
case("F.conv2d", F.conv2d, tF.conv2d, CONV)
case("F.conv2d", lambda x, w, bb: F.conv2d(x, w, bb, padding=1),
     lambda x, w, bb: tF.conv2d(x, w, bb, padding=1), CONV[:3])
POOL = [(f(0, 3, 4, 4),), (f(2, 3, 4, 4, layout="t"),), (f(2, 2, 4, 8, layout="s"),),
        (f(3, 4, 4),), (f(2, 0, 4, 4),), (f(2, 3, 0, 4),), (f(2, 3, 1, 1),)]
case("F.max_pool2d", lambda x: F.max_pool2d(x, 2), lambda x: tF.max_pool2d(x, 2), POOL)
case("F.avg_pool2d", lambda x: F.avg_pool2d(x, 2), lambda x: tF.avg_pool2d(x, 2), POOL)
# torch's adaptive_avg_pool2d backward refuses an empty channel dim: values only there
POOL_ADAPTIVE = [r for r in POOL if r[0].shape[1] != 0]
case("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 2),
     lambda x: tF.adaptive_avg_pool2d(x, 2), POOL_ADAPTIVE)
case("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 2),
     lambda x: tF.adaptive_avg_pool2d(x, 2), [(f(2, 0, 4, 4),)], grad=False)
case("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (0, 2)),
     lambda x: tF.adaptive_avg_pool2d(x, (0, 2)), POOL[:2], grad=False)   # torch: no backward

# attention and embedding
case("F.scaled_dot_product_attention", F.scaled_dot_product_attention,
     tF.scaled_dot_product_attention,
     [(f(0, 2, 3, 4), f(0, 2, 5, 4), f(0, 2, 5, 4)), (f(2, 0, 4), f(2, 5, 4), f(2, 5, 4)),
      (f(2, 3, 4), f(2, 0, 4), f(2, 0, 4)), (f(2, 3, 0), f(2, 5, 0), f(2, 5, 6)),
      (f(2, 4, 3, layout="t"), f(2, 5, 3, layout="n"), f(2, 5, 3, layout="s"))])
case("F.scaled_dot_product_attention", lambda q, k, v: F.scaled_dot_product_attention(
    q, k, v, is_causal=True), lambda q, k, v: tF.scaled_dot_product_attention(q, k, v,
                                                                              is_causal=True),
     [(f(0, 3, 4), f(0, 3, 4), f(0, 3, 4)), (f(2, 4, 3, layout="t"), f(2, 4, 3), f(2, 4, 3))])
case("F.embedding", F.embedding, tF.embedding,
     [(i(0, high=4), f(4, 3)), (i(high=4), f(4, 3)), (i(2, 0, high=4), f(4, 3)),
      (i(3, high=4), f(4, 0)), (i(2, 3, high=4, layout="t"), f(3, 4, layout="t"))])


# ---- nn modules: same construction, parameters copied from torch ---------------------------


module_case("Linear", lambda nn: nn.Linear(3, 4),
            [(f(0, 3),), (f(2, 0, 3),), (f(3),), (f(4, 3, layout="s"),), (f(),)])
module_case("Linear", lambda nn: nn.Linear(0, 4), [(f(2, 0),)])
module_case("Identity", lambda nn: nn.Identity(), floats())
module_case("Flatten", lambda nn: nn.Flatten(), [(f(0, 2, 3),), (f(2, 0, 3),), (f(0),),
                                                 (f(2, 3, 4, layout="t"),)])
module_case("Conv2d", lambda nn: nn.Conv2d(3, 4, 3, padding=1), CONV[:3] and
            [(f(0, 3, 5, 5),), (f(2, 3, 5, 5, layout="t"),), (f(3, 5, 5),), (f(2, 3, 0, 5),)])
for _n, _a in [("MaxPool2d", (2,)), ("AvgPool2d", (2,)), ("AdaptiveAvgPool2d", (2,))]:
    module_case(_n, lambda nn, n=_n, a=_a: getattr(nn, n)(*a),
                POOL_ADAPTIVE if _n.startswith("Adaptive") else POOL)
module_case("Embedding", lambda nn: nn.Embedding(4, 3), [(i(0, high=4),), (i(2, 0, high=4),),
                                                         (i(high=4),)])
module_case("Embedding", lambda nn: nn.Embedding(4, 3, padding_idx=0),
            [(i(0, high=4),), (i(3, 2, high=4, layout="t"),)])
for _n in ["ReLU", "Sigmoid", "Tanh", "GELU", "SiLU"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(), floats())
for _n in ["Softmax", "LogSoftmax"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(dim=-1),
                [(f(),), (f(0, 10),), (f(4, 3, layout="t"),)])
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(), [(f(0, 10),), (f(3, 0, 2),)])
module_case("Dropout", lambda nn: nn.Dropout(0.5), floats(), train=False)
module_case("Dropout", lambda nn: nn.Dropout(0.5), floats(), values=False)
module_case("LayerNorm", lambda nn: nn.LayerNorm(4),
            [(f(0, 4),), (f(3, 0, 4),), (f(4, 4, layout="t"),)])
for _tr in [True, False]:
    module_case("BatchNorm1d", lambda nn: nn.BatchNorm1d(4),
                [(f(0, 4),), (f(0, 4, 3),), (f(5, 4, layout="t"),), (f(2, 4, 0),)], train=_tr)
    module_case("BatchNorm2d", lambda nn: nn.BatchNorm2d(3),
                [(f(0, 3, 2, 2),), (f(2, 3, 0, 2),), (f(2, 3, 2, 2, layout="t"),)], train=_tr)
for _n in ["MSELoss", "L1Loss", "SmoothL1Loss", "BCEWithLogitsLoss"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(),
                [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3))])
module_case("BCELoss", lambda nn: nn.BCELoss(), [(p(*s), p(*s)) for s in EMPTY])
module_case("KLDivLoss", lambda nn: nn.KLDivLoss(reduction="sum"),
            [(f(*s), p(*s)) for s in EMPTY])
for _n in ["CrossEntropyLoss", "NLLLoss"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(),
                [(f(0, 5), i(0)), (f(5), i()), (f(5, 4, layout="t"), i(5))])
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(reduction="sum"), [(f(0, 5), i(0))])
module_case("MultiheadAttention", lambda nn: nn.MultiheadAttention(4, 2, batch_first=True),
            [(f(0, 3, 4), f(0, 5, 4), f(0, 5, 4)), (f(2, 0, 4), f(2, 5, 4), f(2, 5, 4)),
             (f(2, 3, 4, layout="n"), f(2, 5, 4), f(2, 5, 4, layout="s"))], train=False)
module_case("MultiheadAttention", lambda nn: nn.MultiheadAttention(4, 2),
            [(f(3, 4), f(5, 4), f(5, 4)), (f(0, 4), f(5, 4), f(5, 4))], train=False)
module_case("TransformerEncoderLayer", lambda nn: nn.TransformerEncoderLayer(
    4, 2, 8, dropout=0.0, batch_first=True), [(f(0, 3, 4),), (f(2, 3, 4, layout="s"),)],
    train=False)
module_case("TransformerEncoder", lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(
    4, 2, 8, dropout=0.0, batch_first=True), 2, enable_nested_tensor=False)
    if nn is torch.nn else nn.TransformerEncoder(nn.TransformerEncoderLayer(
        4, 2, 8, dropout=0.0, batch_first=True), 2),
    [(f(0, 3, 4),), (f(2, 3, 4, layout="s"),)], train=False)
module_case("Sequential", lambda nn: nn.Sequential(nn.Linear(3, 2), nn.ReLU()),
            [(f(0, 3),), (f(4, 3, layout="s"),)])
module_case("DropPath", lambda nn: nn.DropPath(0.5) if nn is mg.nn else nn.Identity(),
            floats(), train=False)
