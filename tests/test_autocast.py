"""CPU autocast (dtype=float16) against torch's: the listed ops' result dtypes and values
with float32, float16 and float64 inputs, gradients (in the inputs' dtypes, also when
backward runs inside the region), nesting, the decorator form, threads, custom_fwd and
custom_bwd, the state functions and the errors. tests/test_autocast_sweep.py runs one float row
of every swept name under autocast as well."""
from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
tF = torch.nn.functional


@pytest.fixture(autouse=True)
def _float32_default(defaults):
    """Both libraries at torch's own default float (conftest sets torch's to float64)."""


def _arrays():
    rng = np.random.default_rng(0)
    return {k: rng.uniform(0.1, 0.9, s) for k, s in dict(
        x=(3, 4), w=(5, 4), b=(5,), v=(4,), sq=(3, 3), img=(2, 3, 6, 6), vol=(1, 2, 4, 4, 4),
        seq=(2, 3, 8), k1=(4, 3, 3), k2=(4, 3, 3, 3), k3=(3, 2, 2, 2, 2), kt1=(3, 4, 3),
        b3=(2, 3, 4), c3=(2, 4, 5), q=(2, 3, 4), grid=(2, 2, 2, 2), h=(3, 5),
        wih=(15, 4), whh=(15, 5), bh=(15,), wih4=(20, 4), whh4=(20, 5), bh4=(20,)).items()}


A = _arrays()
TGT = np.array([0, 1, 2])


def _ops(lib, Fn):
    """name -> f(T), T(key) giving the input array `key` as a tensor of the tested dtype."""
    return {
        "matmul": lambda T: lib.matmul(T("x"), T("w").t()),
        "@": lambda T: T("x") @ T("w").t(),
        "Tensor.mm": lambda T: T("x").mm(T("w").t()),
        "bmm": lambda T: lib.bmm(T("b3"), T("c3")),
        "addmm": lambda T: lib.addmm(T("b"), T("x"), T("w").t()),
        "baddbmm": lambda T: lib.baddbmm(T("b3")[..., :1], T("b3"), T("c3")),
        "Tensor.addbmm": lambda T: T("h").addbmm(T("b3"), T("c3")),
        "mv": lambda T: lib.mv(T("x"), T("v")),
        "dot": lambda T: lib.dot(T("v"), T("v")),
        "addmv": lambda T: lib.addmv(T("x")[:, 0], T("x"), T("v")),
        "addr": lambda T: lib.addr(T("x"), T("x")[:, 0], T("v")),
        "chain_matmul": lambda T: lib.chain_matmul(T("x"), T("w").t()),
        "linalg.multi_dot": lambda T: lib.linalg.multi_dot([T("x"), T("w").t()]),
        "linalg.vecdot": lambda T: lib.linalg.vecdot(T("x"), T("x")),
        "linear": lambda T: Fn.linear(T("x"), T("w"), T("b")),
        "bilinear": lambda T: Fn.bilinear(T("x"), T("x"), T("vol")[0, :, :, 0, :2].reshape(
            2, 4, 2)[:, :, :1].expand(2, 4, 4)),
        "conv1d": lambda T: Fn.conv1d(T("seq"), T("k1")),
        "conv2d": lambda T: Fn.conv2d(T("img"), T("k2"), padding=1),
        "conv3d": lambda T: Fn.conv3d(T("vol"), T("k3")),
        "conv_transpose1d": lambda T: Fn.conv_transpose1d(T("seq"), T("kt1")),
        "prelu": lambda T: Fn.prelu(T("x"), T("v")[:1]),
        "sdpa": lambda T: Fn.scaled_dot_product_attention(T("q"), T("q"), T("q")),
        "tensordot": lambda T: lib.tensordot(T("x"), T("w").t(), 1),
        "einsum": lambda T: lib.einsum("ij,kj->ik", T("x"), T("w")),
        "einsum_mul": lambda T: lib.einsum("ij,ij->ij", T("x"), T("x")),
        "inner2": lambda T: lib.inner(T("x"), T("w")),
        "inner1": lambda T: lib.inner(T("v"), T("v")),
        "cat": lambda T: lib.cat([T("x"), lib.tensor(A["x"], dtype=lib.float32)]),
        "stack": lambda T: lib.stack([T("x"), lib.tensor(A["x"], dtype=lib.float32)]),
        "prod": lambda T: lib.prod(T("x")),
        "Tensor.prod": lambda T: T("x").prod(1),
        "trace": lambda T: lib.trace(T("sq")),
        "cdist": lambda T: lib.cdist(T("x"), T("x")),
        "quantile": lambda T: lib.quantile(T("x"), 0.5),
        "sum": lambda T: lib.sum(T("x")),
        "softmax": lambda T: lib.softmax(T("x"), 1),
        "exp": lambda T: lib.exp(T("x")),
        "layer_norm": lambda T: Fn.layer_norm(T("x"), (4,)),
        "cross_entropy": lambda T: Fn.cross_entropy(T("x"), lib.tensor(TGT)),
        "nll_loss": lambda T: Fn.nll_loss(T("x"), lib.tensor(TGT)),
        "mse_loss": lambda T: Fn.mse_loss(T("x"), T("x") * 0.5),
        "l1_loss": lambda T: Fn.l1_loss(T("x"), T("x") * 0.5),
        "smooth_l1_loss": lambda T: Fn.smooth_l1_loss(T("x"), T("x") * 0.5),
        "kl_div": lambda T: Fn.kl_div(T("x"), T("x"), reduction="batchmean"),
        "bce": lambda T: Fn.binary_cross_entropy(T("x"), T("x")),
        "bce_logits": lambda T: Fn.binary_cross_entropy_with_logits(T("x"), T("x")),
        "triplet": lambda T: Fn.triplet_margin_loss(T("x"), T("x") * 0.5, T("x")),
        "avg_pool2d": lambda T: Fn.avg_pool2d(T("img"), 2),
        "avg_pool3d": lambda T: Fn.avg_pool3d(T("vol"), 2),
        "max_pool3d": lambda T: Fn.max_pool3d(T("vol"), 2),
        "adaptive_avg_pool3d": lambda T: Fn.adaptive_avg_pool3d(T("vol"), 2),
        "pad_reflect": lambda T: Fn.pad(T("seq"), (1, 1), mode="reflect"),
        "pad_replicate": lambda T: Fn.pad(T("seq"), (1, 1), mode="replicate"),
        "pad_constant": lambda T: Fn.pad(T("seq"), (1, 1)),
        "grid_sample": lambda T: Fn.grid_sample(T("img"), T("grid") * 2 - 1,
                                                align_corners=False),
        "inverse": lambda T: lib.inverse(T("sq") + 3 * lib.eye(3)),
        "linalg.inv": lambda T: lib.linalg.inv(T("sq") + 3 * lib.eye(3)),
        "linalg.solve": lambda T: lib.linalg.solve(T("sq") + 3 * lib.eye(3), T("sq")),
        "linalg.qr": lambda T: lib.linalg.qr(T("sq"))[1],
        "linalg.eigh": lambda T: lib.linalg.eigh(T("sq") + T("sq").t())[0],
        "linalg.svdvals": lambda T: lib.linalg.svdvals(T("sq")),
        "rnn_tanh_cell": lambda T: lib.rnn_tanh_cell(T("x"), T("h"), T("wih")[:5], T("whh")[:5],
                                                     T("bh")[:5], T("bh")[:5]),
        "gru_cell": lambda T: lib.gru_cell(T("x"), T("h"), T("wih"), T("whh"), T("bh"),
                                           T("bh")),
        "lstm_cell": lambda T: lib.lstm_cell(T("x"), (T("h"), T("h")), T("wih4"), T("whh4"),
                                             T("bh4"), T("bh4"))[0],
        "relu": lambda T: lib.relu(T("x")),
        "add_mixed": lambda T: T("x") + lib.tensor(A["x"], dtype=lib.float32),
    }


M_OPS, T_OPS = _ops(mg, F), _ops(torch, tF)


def _maker(lib, dtype):
    return lambda key: lib.tensor(A[key], dtype=getattr(lib, dtype))


@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
@pytest.mark.parametrize("name", sorted(T_OPS))
def test_op_under_autocast_as_torch(name, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with torch.autocast("cpu", dtype=torch.float16):
                want = T_OPS[name](_maker(torch, dtype))
        except (RuntimeError, NotImplementedError):     # no float16 CPU kernel in torch
            pytest.skip("torch has no CPU kernel for this under autocast")
        with mg.autocast("cpu", dtype=mg.float16):
            got = M_OPS[name](_maker(mg, dtype))
    assert str(got.dtype) == str(want.dtype).replace("torch.", ""), (got.dtype, want.dtype)
    # float16 somewhere inside (torch's composites, like bilinear or the RNN cells, run
    # their parts under autocast too): values agree to float16's rounding
    tol = 1e-10 if dtype == "float64" else 2e-2
    np.testing.assert_allclose(got.detach().numpy().astype(np.float64),
                               want.detach().numpy().astype(np.float64), rtol=tol, atol=tol)


def test_outside_autocast_nothing_is_cast():
    for name in ("matmul", "linear", "conv2d", "cross_entropy"):
        assert M_OPS[name](_maker(mg, "float32")).dtype == mg.float32


def _linear_step(lib, Fn, backward_inside):
    w = lib.tensor(A["w"], dtype=lib.float32, requires_grad=True)
    x = lib.tensor(A["x"], dtype=lib.float32, requires_grad=True)
    with lib.autocast("cpu", dtype=lib.float16):
        y = Fn.linear(x, w)
        loss = Fn.cross_entropy(y, lib.tensor(TGT))
        if backward_inside:
            loss.backward()
    if not backward_inside:
        loss.backward()
    return y, loss, w.grad, x.grad


@pytest.mark.parametrize("inside", [False, True])
def test_gradients_come_back_in_the_inputs_dtypes(inside):
    got, want = _linear_step(mg, F, inside), _linear_step(torch, tF, inside)
    for g, t in zip(got, want):
        assert str(g.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=2e-2,
                                   atol=2e-3)


def test_nesting_decorator_and_state_functions():
    assert not mg.is_autocast_enabled("cpu") and not torch.is_autocast_enabled("cpu")
    for lib in (mg, torch):
        with lib.autocast("cpu", dtype=lib.float16):
            assert lib.is_autocast_enabled("cpu") and not lib.is_autocast_enabled()
            assert str(lib.get_autocast_dtype("cpu")).endswith("float16")
            with lib.autocast("cpu", enabled=False):
                assert not lib.is_autocast_enabled("cpu")
                x = lib.ones(2, 2)
                assert (x @ x).dtype == lib.float32
            assert lib.is_autocast_enabled("cpu")
            with lib.autocast("cuda", enabled=False):       # the CPU state is untouched
                assert lib.is_autocast_enabled("cpu")
        assert not lib.is_autocast_enabled("cpu")

        @lib.autocast("cpu", dtype=lib.float16)
        def f(a):
            return a @ a
        assert f(lib.ones(2, 2)).dtype == lib.float16
        assert lib.is_autocast_cache_enabled()
    with pytest.warns(DeprecationWarning, match="is_autocast_enabled\\('cpu'\\)"):
        assert mg.is_autocast_cpu_enabled() is False
    mg.set_autocast_dtype("cpu", mg.float16)
    mg.set_autocast_enabled("cpu", True)
    try:
        assert (mg.ones(2, 2) @ mg.ones(2, 2)).dtype == mg.float16
    finally:
        mg.set_autocast_enabled("cpu", False)
    assert (mg.ones(2, 2) @ mg.ones(2, 2)).dtype == mg.float32


def test_autocast_is_per_thread():
    seen = {}

    def other():
        seen["on"] = mg.is_autocast_enabled("cpu")
        seen["dtype"] = (mg.ones(2, 2) @ mg.ones(2, 2)).dtype
    with mg.autocast("cpu", dtype=mg.float16):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == {"on": False, "dtype": mg.float32}


def test_unsupported_dtypes_devices_and_bad_arguments():
    for lib in (mg, torch):
        with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not "
                                             "supported. Disabling autocast."):
            with lib.autocast("cpu", dtype=lib.float32):
                assert not lib.is_autocast_enabled("cpu")
    with pytest.raises(NotImplementedError, match="bfloat16"):
        mg.autocast("cpu")
    with pytest.raises(NotImplementedError, match="CPU only"):
        mg.autocast("cuda", dtype=mg.float16)
    with pytest.raises(TypeError, match="enabled must be a bool"):
        mg.autocast("cpu", enabled=1)
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        mg.autocast(3)
    with pytest.raises(RuntimeError, match="Invalid device string: 'tpu'"):
        mg.autocast("tpu", enabled=False)
    assert mg.amp.is_autocast_available("cpu") and not mg.amp.is_autocast_available("cuda")


def _custom(lib, cast_inputs):
    seen = {}

    class Twice(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", cast_inputs=cast_inputs)
        def forward(ctx, x, w):
            seen["fwd"] = (str(x.dtype), lib.is_autocast_enabled("cpu"))
            ctx.save_for_backward(x, w)
            return x @ w

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen["bwd"] = lib.is_autocast_enabled("cpu")
            x, w = ctx.saved_tensors
            return g @ w.t(), x.t() @ g
    x = lib.tensor(A["x"], dtype=lib.float32, requires_grad=True)
    w = lib.tensor(A["w"].T.copy(), dtype=lib.float32, requires_grad=True)
    with lib.autocast("cpu", dtype=lib.float16):
        out = Twice.apply(x, w)
    out.float().sum().backward()
    return seen, str(out.dtype), str(x.grad.dtype)


@pytest.mark.parametrize("cast", [None, "float32", "float16"])
def test_custom_fwd_and_bwd_as_torch(cast):
    got = _custom(mg, None if cast is None else getattr(mg, cast))
    want = _custom(torch, None if cast is None else getattr(torch, cast))
    norm = str(want).replace("torch.", "")
    assert str(got) == norm, (got, want)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "RNNCell", "GRUCell", "LSTMCell"])
def test_recurrent_modules_under_autocast_as_torch(kind):
    tm = getattr(torch.nn, kind)(4, 3)
    mm = getattr(mg.nn, kind)(4, 3)
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = A["x"][:2] if "Cell" in kind else A["b3"][:, :1]
    with torch.autocast("cpu", dtype=torch.float16):
        want = tm(torch.tensor(x, dtype=torch.float32))
    with mg.autocast("cpu", dtype=mg.float16):
        got = mm(mg.tensor(x, dtype=mg.float32))
    want, got = (want[0], got[0]) if isinstance(want, tuple) else (want, got)
    assert str(got.dtype) == str(want.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=2e-2,
                               atol=2e-3)
