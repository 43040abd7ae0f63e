"""Rows of the bad-argument sweep: the first ops, losses and nn modules.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
    from .bad_args_calls import _encoder, _out_path, _restoring_default_dtype, _saved, _torch_expand
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *
    from bad_args_calls import _encoder, _out_path, _restoring_default_dtype, _saved, _torch_expand


# elementwise
for _n in ["abs", "cos", "exp", "log", "relu", "sigmoid", "sin", "sqrt", "tanh"]:
    both(_n, X)
both("neg", X)
both("negative", X)
both("absolute", X)
both("ravel", X)
for _n in ["add", "sub", "subtract"]:
    both(_n, X, Y, alpha=2)
for _n in ["mul", "multiply", "true_divide", "floor_divide", "fmod", "remainder", "maximum",
           "minimum"]:
    both(_n, X, Y)
for _n in ["div", "divide"]:
    both(_n, X, Y, rounding_mode="floor")
both("pow", X, 2.0)
both("matmul", X, W)
for _n in ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
           "bitwise_right_shift"]:
    both(_n, K, J)
both("bitwise_not", K)
for _n in ["eq", "ne", "lt", "le", "gt", "ge"]:
    both(_n, X, Y)
both("clamp", X, -0.5, 0.5)
both("clip", X, -0.5, 0.5)
both("where", B, X, Y, method=False)
both("masked_fill", X, B, 2.0)

# reductions and sorting
for _n in ["sum", "mean"]:
    both(_n, X, 1, False, dtype=Dt("float64"))
for _n in ["std", "var"]:
    both(_n, X, 1, True, False)
    both(_n, X, 1, keepdim=True, correction=0)
for _n in ["std_mean", "var_mean"]:
    both(_n, X, 1, True, False, method=False)
for _n in ["amax", "amin", "argmax", "argmin", "logsumexp"]:
    both(_n, X, 1, False)
for _n in ["max", "min"]:
    both(_n, X, 1, False, ties=True)
    both(_n, X, other=Y)
    row(f"mg.{_n}", X)
both("aminmax", X, dim=1, keepdim=False)
for _n in ["median", "nanmedian", "mode"]:
    both(_n, X, 1, False, ties=True)
for _n in ["sort", "argsort"]:
    both(_n, X, 1, False, ties=True)
    both(_n, X, dim=1, descending=True, stable=True, ties=True)   # torch: stable by keyword
both("topk", X, 2, 1, True, True, ties=True)
both("kthvalue", X, 2, 1, False, ties=True)
both("softmax", X, 1, dtype=Dt("float64"))
both("log_softmax", X, 1, dtype=Dt("float64"))

# shapes and views
both("reshape", X, (4, 3), method=False)
row("Tensor.reshape", X, 4, 3)
row("Tensor.view", X, 4, 3)
row("Tensor.view", X, (2, -1))
row("Tensor.view_as", X, Arr(4, 3))
row("Tensor.reshape_as", X, Arr(2, 6))
both("permute", X3, (2, 0, 1), method=False)
row("Tensor.permute", X3, 2, 0, 1, kinds={"dims": "dim"})
both("transpose", X, 0, 1)
both("flatten", X3, 1, 2)
both("squeeze", X1, 1)
both("unsqueeze", X, 0)
row("mg.expand", X1, 3, 4, torch=_torch_expand, kinds={"sizes": "int"})
row("Tensor.expand", X1, 3, 4, kinds={"sizes": "int"})
row("Tensor.expand_as", X1, X)
both("select", X, 1, 2, kinds={"i": "int"})
row("Tensor.size", X, 1)
row("Tensor.__getitem__", X, 1, kinds={"key": "key"}, aka=("index", "indices"))
row("Tensor.__setitem__", X, 1, 2.0, kinds={"key": "key", "value": "float"},
    aka=("index", "indices"))
for _n in ["cat", "concat", "concatenate", "stack"]:
    row(f"mg.{_n}", [X, Y], 0, aka=("cat",))

# indexing
both("gather", X, 1, IDX)
both("scatter", X, 1, IDX, SRC)
both("scatter", X, 1, IDX, value=2.0, kinds={"value": "float"})
both("scatter_add", X, 1, IDX, SRC)
row("mg.one_hot", T, 5)

# in-place methods
for _n in ["add_", "sub_"]:
    row(f"Tensor.{_n}", X, Y, alpha=2)
for _n in ["mul_", "true_divide_", "floor_divide_", "remainder_", "fmod_", "copy_"]:
    row(f"Tensor.{_n}", X, Y)
row("Tensor.div_", X, Y, rounding_mode="floor")
row("Tensor.pow_", X, 2.0)
for _n in ["bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_",
           "bitwise_right_shift_"]:
    row(f"Tensor.{_n}", K, J)
for _n in ["abs_", "cos_", "exp_", "log_", "neg_", "relu_", "sigmoid_", "sin_", "sqrt_",
           "tanh_", "zero_"]:
    row(f"Tensor.{_n}", X)
row("Tensor.bitwise_not_", K)
for _n in ["clamp_", "clip_"]:
    row(f"Tensor.{_n}", X, -0.5, 0.5)
row("Tensor.clamp_min_", X, 0.1)
row("Tensor.clamp_max_", X, 0.1)
row("Tensor.fill_", X, 2.0)
row("Tensor.masked_fill_", X, B, 2.0)
row("Tensor.scatter_", X, 1, IDX, SRC)
row("Tensor.scatter_add_", X, 1, IDX, SRC)
row("Tensor.uniform_", X, 0.0, 1.0, values=False)
row("Tensor.normal_", X, 0.0, 1.0, values=False)

# conversions, attributes and autograd methods (only the receiver varies for most)
for _n in ["bool", "double", "float", "half", "int", "long", "clone", "contiguous", "cpu",
           "detach", "dim", "numel", "t", "tolist"]:
    row(f"Tensor.{_n}", X)
for _n in ["clone", "t"]:
    row(f"mg.{_n}", X)
row("Tensor.item", Arr(1))
row("Tensor.retain_grad", XG)
row("Tensor.to", X, Dt("float64"))
row("Tensor.to", X, "cpu", kinds={"args": "str"})
row("Tensor.type_as", X, K)
row("Tensor.requires_grad_", X, True)
row("Tensor.backward", NONSCALAR, Arr(3), False, False, kinds={"gradient": "tensor"})
row("Tensor.numpy", X, call=lambda L, x: x.numpy())

# creation
for _n in ["zeros", "ones"]:
    row(f"mg.{_n}", 2, 3, dtype=Dt("float64"))
    row(f"mg.{_n}", (2, 3))
for _n in ["empty", "rand", "randn"]:
    row(f"mg.{_n}", 2, 3, dtype=Dt("float64"), values=False)
row("mg.full", (2, 3), 1.5, dtype=Dt("float64"), kinds={"fill_value": "float"})
row("mg.arange", 0, 5, 1, dtype=Dt("float64"), kinds={"start": "float", "end": "float"})
row("mg.linspace", 0.0, 1.0, 5)
row("mg.eye", 3, 4, dtype=Dt("float64"))
row("mg.randint", 0, 5, (2, 3), values=False)
row("mg.randperm", 5, values=False)
for _n in ["zeros_like", "ones_like"]:
    row(f"mg.{_n}", X, dtype=Dt("float64"))
for _n in ["empty_like", "rand_like", "randn_like"]:
    row(f"mg.{_n}", X, dtype=Dt("float64"), values=False)
row("mg.full_like", X, 2.0)
row("mg.tensor", [[1.0, 2.0], [3.0, 4.0]], dtype=Dt("float64"), kinds={"data": "data"})
row("mg.as_tensor", np.ones((2, 3)), dtype=Dt("float32"))
row("mg.from_numpy", np.ones((2, 3)))
row("mg.Tensor", 2, 3, values=False, kinds={"args": "int"}, aka=("zeros",))
row("mg.Tensor", [1.0, 2.0], kinds={"args": "data"}, values=False)   # Tensor(int): no values
row("mg.numel", X)
row("mg.is_tensor", X, kinds={"obj": "object"})

# dtypes, devices, global state, autograd, I/O
row("mg.device", "cpu")
row("mg.can_cast", Dt("float32"), Dt("int64"))
row("mg.promote_types", Dt("float32"), Dt("int64"))
row("mg.result_type", X, 2, kinds={"operands": "tensor"})
row("mg.finfo", Dt("float32"))
row("mg.iinfo", Dt("int32"))
row("mg.set_default_dtype", Dt("float64"), call=_restoring_default_dtype)
row("mg.manual_seed", 0, call=lambda L, seed: L.manual_seed(seed) and None)
row("mg.set_grad_enabled", True)
row("mg.inference_mode", True)
row("mg.grad", GRAPH, XG, kinds={"outputs": "tensor", "inputs": "tensor"})
row("mg.save", {"w": X}, Expr(_out_path), kinds={"obj": "object", "f": "path"})
row("mg.load", Expr(_saved), kinds={"f": "path"})
for _n in ["get_default_dtype", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
           "enable_grad"]:
    row(f"mg.{_n}")

# nn.functional
for _n in ["relu", "silu"]:
    row(f"F.{_n}", X, False)
for _n in ["sigmoid", "tanh", "logsigmoid"]:
    row(f"F.{_n}", X)
row("F.gelu", X, approximate="tanh")
row("F.softplus", X, 1.0, 20.0)
row("F.softmax", X, 1, dtype=Dt("float64"))
row("F.log_softmax", X, 1, dtype=Dt("float64"))
row("F.gumbel_softmax", X, 1.0, False, 1e-10, 1, values=False)
row("F.dropout", X, 0.5, True, False, values=False)
row("F.drop_path", X, 0.5, True, True, values=False,
    torch=lambda L, x, p=0.0, training=False, scale_by_keep=True: L.nn.functional.dropout(
        x, p, training))                 # torch has no drop_path: dropout's argument rules
row("F.linear", X, Arr(2, 4), Arr(2))
row("F.layer_norm", X, (4,), Arr(4), Arr(4), 1e-5)
row("F.batch_norm", Arr(4, 3), Arr(3), Arr(3, kind="p"), Arr(3), Arr(3), False, 0.1, 1e-5)
row("F.embedding", Arr(2, 3, kind="i", high=5), Arr(5, 4), padding_idx=0)
row("F.one_hot", T, 5)
row("F.conv2d", X4, Arr(4, 3, 3, 3), Arr(4), 1, 1, 1, 1)
row("F.conv2d", X4, Arr(4, 3, 3, 3), Arr(4), (1, 2), (1, 0), (1, 1), 1)
row("F.max_pool2d", X4, 2, 2, 0, 1, False, False)
row("F.avg_pool2d", X4, 2, 2, 0, False, True, None)
row("F.adaptive_avg_pool2d", X4, (2, 2))
row("F.scaled_dot_product_attention", *QKV, attn_mask=Arr(3, 5, kind="b"), dropout_p=0.0,
    is_causal=False, scale=0.5, random={"dropout_p"})
for _n in ["cross_entropy", "nll_loss"]:
    row(f"F.{_n}", X, T, C4, ignore_index=-100, reduction="mean")
row("F.cross_entropy", X, T, label_smoothing=0.1)
row("F.cross_entropy", X, P, reduction="sum")
for _n in ["mse_loss", "l1_loss"]:
    row(f"F.{_n}", X, Y, reduction="mean")
row("F.smooth_l1_loss", X, Y, reduction="mean", beta=1.0)
row("F.binary_cross_entropy", P, Q, Arr(3, 4, kind="p", seed=3), reduction="mean")
row("F.binary_cross_entropy_with_logits", X, P, Arr(3, 4, kind="p", seed=3), reduction="mean",
    pos_weight=C4)
row("F.kl_div", X, P, reduction="batchmean", log_target=False)


module("Linear", (4, 2, True))
module("Identity", inputs=(X,))
module("Flatten", (1, -1), inputs=(X3,))
for _n in ["ReLU", "SiLU"]:
    module(_n, (False,))
for _n in ["Sigmoid", "Tanh"]:
    module(_n)
module("GELU", ("tanh",))
for _n in ["Softmax", "LogSoftmax"]:
    module(_n, (1,))
module("Dropout", (0.5, False), values=False)
module("DropPath", (0.5, True), values=False,
       torch=lambda L, p=0.0, scale_by_keep=True: L.nn.Dropout(p))
module("LayerNorm", ((4,), 1e-5, True, True))
module("BatchNorm1d", (3, 1e-5, 0.1, True, True), inputs=(Arr(4, 3),))
module("BatchNorm2d", (3, 1e-5, 0.1, True, True), inputs=(X4,))
module("Conv2d", (3, 4, 3, 1, 1, 1, 1, True, "zeros"), inputs=(X4,))
module("MaxPool2d", (2, 2, 0, 1, False, False), inputs=(X4,))
module("AvgPool2d", (2, 2, 0, False, True, None), inputs=(X4,))
module("AdaptiveAvgPool2d", ((2, 2),), inputs=(X4,))
module("Embedding", (5, 4, 0), inputs=(Arr(2, 3, kind="i", high=5),))
for _n in ["CrossEntropyLoss", "NLLLoss"]:
    module(_n, (C4,), {"ignore_index": -100, "reduction": "mean"}, inputs=(X, T),
           kinds={"weight": "tensor"})
for _n in ["MSELoss", "L1Loss"]:
    module(_n, (), {"reduction": "mean"}, inputs=(X, Y))
module("SmoothL1Loss", (), {"reduction": "mean", "beta": 1.0}, inputs=(X, Y))
module("BCELoss", (Arr(3, 4, kind="p", seed=3),), {"reduction": "mean"}, inputs=(P, Q))
module("BCEWithLogitsLoss", (Arr(3, 4, kind="p", seed=3),),
       {"reduction": "mean", "pos_weight": C4}, inputs=(X, P))
module("KLDivLoss", (), {"reduction": "batchmean", "log_target": False}, inputs=(X, P))
# (eval mode: a bad value for dropout that happens to be valid must not make results random)
module("MultiheadAttention", (4, 2, 0.0, True), {"batch_first": True}, inputs=QKV, train=False,
       forward_kwargs={"key_padding_mask": Arr(2, 5, kind="b"), "need_weights": True,
                       "average_attn_weights": True})
module("TransformerEncoderLayer", (4, 2, 8, 0.0, "relu", 1e-5, True), inputs=(X3,), train=False)
module("TransformerEncoder", (LAYER, 2), inputs=(X3,), kinds={"encoder_layer": "object"},
       train=False,
       torch=_encoder, avoid={"num_layers": ("2**63",)})
module("Sequential", (LIN, Expr(lambda L: L.nn.ReLU())), kinds={"args": "object"})
row("nn.ModuleList", [LIN], kinds={"modules": "object"}, call=lambda L, m: L.nn.ModuleList(m))
row("nn.ModuleDict", {"lin": LIN}, kinds={"modules": "object"},
    call=lambda L, m: L.nn.ModuleDict(m))
row("nn.Parameter", X, call=lambda L, x, *a: L.nn.Parameter(x, *a))
row("nn.Module", call=lambda L: L.nn.Module())
