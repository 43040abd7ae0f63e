"""Global settings, mg.compile, mg.cond, mg.while_loop and mg.vmap against torch 2.13: the
same sequence of calls gives the same getters' values, bad arguments raise torch's exception
types with its messages, and the settings have their effects (BLAS threads, the default
device, deterministic mode on CUDA, anomaly mode)."""
import re
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import settings
from minigrad.testing import gradcheck

cuda = pytest.mark.skipif(not mg.cuda.is_available(), reason="no CUDA GPU")


@pytest.fixture(autouse=True)
def restore():
    """Every setting both libraries had before the test, back after it."""
    t_state = (torch.are_deterministic_algorithms_enabled(),
               torch.is_deterministic_algorithms_warn_only_enabled(),
               torch.get_float32_matmul_precision(), torch.is_warn_always_enabled(),
               torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
    threads = torch.get_num_threads()
    yield
    torch.use_deterministic_algorithms(t_state[0], warn_only=t_state[1])
    torch.set_float32_matmul_precision(t_state[2])
    torch.set_warn_always(t_state[3])
    torch.set_anomaly_enabled(t_state[4], t_state[5])
    torch.set_num_threads(threads)
    mg.use_deterministic_algorithms(False)
    mg.set_float32_matmul_precision("highest")
    mg.set_warn_always(False)
    mg.set_anomaly_enabled(False)
    mg.set_default_device(None)


def same_error(mg_call, torch_call, fragment=None):
    """Both raise the same exception type; ours names the call and holds torch's message
    (or `fragment` of it, where our function name differs from torch's internal one)."""
    with pytest.raises(Exception) as t_info:
        torch_call()
    builtin = next(c for c in type(t_info.value).__mro__ if c.__module__ == "builtins")
    with pytest.raises(builtin) as m_info:          # torch's InvalidBackend is a RuntimeError
        mg_call()
    want = fragment if fragment is not None else str(t_info.value)
    assert want in str(t_info.value) and want in str(m_info.value), \
        f"{m_info.value!r} vs torch's {t_info.value!r}"


# ---- threads ---------------------------------------------------------------------------
def blas_threads():
    from threadpoolctl import threadpool_info
    return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}


def test_num_threads_controls_blas():
    before = mg.get_num_threads()
    assert before >= 1
    try:
        mg.set_num_threads(1)
        assert mg.get_num_threads() == 1 and blas_threads() <= {1}
        a = np.random.default_rng().standard_normal((64, 64))
        np.testing.assert_allclose((mg.tensor(a) @ mg.tensor(a)).numpy(), a @ a, rtol=1e-12)
        mg.set_num_threads(2)
        assert mg.get_num_threads() == 2 and blas_threads() <= {2}
    finally:
        mg.set_num_threads(before)


@pytest.mark.parametrize("fn", ["set_num_threads", "set_num_interop_threads"])
@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "a", None])
def test_thread_count_errors(fn, bad):
    same_error(lambda: getattr(mg, fn)(bad), lambda: getattr(torch, fn)(bad))


def test_interop_threads():
    assert mg.get_num_interop_threads() == 1
    mg.set_num_interop_threads(1)
    with pytest.raises(RuntimeError, match=r"set_num_interop_threads\(4\).*only 1"):
        mg.set_num_interop_threads(4)


# ---- determinism -----------------------------------------------------------------------
DETERMINISM_CALLS = [
    ("use_deterministic_algorithms", (True,), {}),
    ("use_deterministic_algorithms", (True,), {"warn_only": True}),
    ("use_deterministic_algorithms", (False,), {}),
    ("set_deterministic_debug_mode", ("warn",), {}),
    ("set_deterministic_debug_mode", ("error",), {}),
    ("set_deterministic_debug_mode", ("default",), {}),
    ("set_deterministic_debug_mode", (1,), {}),
    ("set_deterministic_debug_mode", (2,), {}),
    ("use_deterministic_algorithms", (False,), {"warn_only": True}),
    ("set_deterministic_debug_mode", (0,), {}),
]


def determinism(lib):
    return (lib.are_deterministic_algorithms_enabled(),
            lib.is_deterministic_algorithms_warn_only_enabled(),
            lib.get_deterministic_debug_mode())


def test_determinism_getters_follow_torch():
    order = np.random.default_rng().permutation(len(DETERMINISM_CALLS))
    for k in order:
        name, args, kw = DETERMINISM_CALLS[k]
        getattr(mg, name)(*args, **kw)
        getattr(torch, name)(*args, **kw)
        assert determinism(mg) == determinism(torch), (name, args, kw)


@pytest.mark.parametrize("call, fragment", [
    (lambda lib: lib.use_deterministic_algorithms(1), "argument 'mode' (position 1) must be "
                                                      "bool, not int"),
    (lambda lib: lib.use_deterministic_algorithms("x"), "argument 'mode' (position 1) must be "
                                                        "bool, not str"),
    (lambda lib: lib.use_deterministic_algorithms(True, warn_only=1),
     "argument 'warn_only' must be bool, not int"),
    (lambda lib: lib.set_deterministic_debug_mode(3), None),
    (lambda lib: lib.set_deterministic_debug_mode("bogus"), None),
    (lambda lib: lib.set_deterministic_debug_mode(1.0), None),
    (lambda lib: lib.set_deterministic_debug_mode(None), None),
])
def test_determinism_errors(call, fragment):
    same_error(lambda: call(mg), lambda: call(torch), fragment)
    assert determinism(mg) == (False, False, 0)


def test_alert_not_deterministic():
    settings.alert_not_deterministic("op")          # off: nothing
    mg.use_deterministic_algorithms(True)
    with pytest.raises(RuntimeError, match="op does not have a deterministic implementation"):
        settings.alert_not_deterministic("op")
    mg.use_deterministic_algorithms(True, warn_only=True)
    with pytest.warns(UserWarning, match="op does not have a deterministic"):
        settings.alert_not_deterministic("op")


@cuda
def test_cuda_scatter_add_in_deterministic_mode():
    x = mg.zeros(3, device="cuda")
    idx = mg.tensor([0, 0, 2], device="cuda")
    src = mg.ones(3, device="cuda")
    mg.use_deterministic_algorithms(True)
    with pytest.raises(RuntimeError, match="deterministic"):
        x.scatter_add(0, idx, src)
    mg.use_deterministic_algorithms(True, warn_only=True)
    with pytest.warns(UserWarning, match="deterministic"):
        out = x.scatter_add(0, idx, src)
    assert out.tolist() == [2.0, 0.0, 1.0]
    mg.use_deterministic_algorithms(False)
    assert mg.ones(4, device="cuda").sum().item() == 4.0    # others are unaffected


# ---- the default device ----------------------------------------------------------------
def test_default_device_cpu():
    assert repr(mg.get_default_device()) == repr(torch.get_default_device())
    mg.set_default_device("cpu")
    torch.set_default_device("cpu")
    try:
        assert repr(mg.get_default_device()) == repr(torch.get_default_device())
        assert mg.zeros(2).device == "cpu" and mg.tensor([1.0]).device == "cpu"
    finally:
        torch.set_default_device(None)
    mg.set_default_device(mg.device("cpu"))
    mg.set_default_device(None)
    assert repr(mg.get_default_device()) == "device(type='cpu')"


def test_default_device_errors():
    same_error(lambda: mg.set_default_device("foo"), lambda: torch.set_default_device("foo"),
               "foo")
    with pytest.raises(TypeError, match=r"set_default_device\(\): device must be"):
        mg.set_default_device(1.5)
    if not mg.cuda.is_available():
        with pytest.raises(RuntimeError, match=r"set_default_device\('cuda'\): CUDA is not "
                                               "available"):
            mg.set_default_device("cuda")
        assert mg.get_default_device() == "cpu"


@cuda
def test_default_device_cuda_creation():
    mg.set_default_device("cuda")
    assert repr(mg.get_default_device()) == "device(type='cuda', index=0)"
    made = [mg.zeros(2), mg.ones(2, 3), mg.empty(1), mg.full((2,), 3.0), mg.arange(3),
            mg.linspace(0, 1, 4), mg.eye(2), mg.randn(2), mg.rand(2), mg.randint(0, 3, (2,)),
            mg.randperm(3), mg.tensor([1.0, 2.0]), mg.as_tensor([1, 2]),
            mg.tensor(np.ones(2)), mg.logspace(0, 1, 3), mg.scalar_tensor(1.0)]
    for t in made:
        assert t.is_cuda, t
    assert mg.zeros(2, device="cpu").device == "cpu"
    assert repr(mg.tensor([1.5])) == "tensor([1.5000], device='cuda:0')"
    mg.set_default_device(None)
    assert mg.zeros(2).device == "cpu"


# ---- matmul precision, warn_always, flush_denormal -------------------------------------
def test_float32_matmul_precision_follows_torch():
    for p in ("medium", "high", "low", "highest", "bogus", "high"):
        with warnings.catch_warnings(record=True) as m_w:
            warnings.simplefilter("always")
            mg.set_float32_matmul_precision(p)
        with warnings.catch_warnings(record=True) as t_w:
            warnings.simplefilter("always")
            torch.set_float32_matmul_precision(p)
        assert mg.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
        assert len(m_w) == len(t_w)
    a = np.random.default_rng().standard_normal((8, 8)).astype(np.float32)
    out = (mg.tensor(a) @ mg.tensor(a)).numpy()     # still float32 products ("highest")
    np.testing.assert_allclose(out, a.astype(np.float64) @ a, rtol=1e-5, atol=1e-5)
    same_error(lambda: mg.set_float32_matmul_precision(3),
               lambda: torch.set_float32_matmul_precision(3))


def test_warn_always_and_flush_denormal():
    for b in (True, False, True):
        mg.set_warn_always(b)
        torch.set_warn_always(b)
        assert mg.is_warn_always_enabled() == torch.is_warn_always_enabled()
    same_error(lambda: mg.set_warn_always(1), lambda: torch.set_warn_always(1))
    assert mg.set_flush_denormal(True) is False and mg.set_flush_denormal(False) is False
    for bad in (1, "a", None):
        same_error(lambda: mg.set_flush_denormal(bad), lambda: torch.set_flush_denormal(bad))


# ---- anomaly mode ----------------------------------------------------------------------
def test_anomaly_getters_follow_torch():
    assert mg.is_anomaly_enabled() == torch.is_anomaly_enabled()
    assert mg.is_anomaly_check_nan_enabled() == torch.is_anomaly_check_nan_enabled()
    for args in ((True,), (True, False), (False,), (False, False), (True, True), (False,)):
        mg.set_anomaly_enabled(*args)
        torch.set_anomaly_enabled(*args)
        assert (mg.is_anomaly_enabled(), mg.is_anomaly_check_nan_enabled()) == \
            (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()), args
    for bad in ((1,), (True, 1), ("a",)):
        same_error(lambda: mg.set_anomaly_enabled(*bad), lambda: torch.set_anomaly_enabled(*bad),
                   "must be bool, not")


def test_anomaly_enabled_catches_nan():
    x = mg.tensor([0.0], requires_grad=True)
    mg.set_anomaly_enabled(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="returned nan values"):
            (mg.sqrt(x) * 0).sum().backward()
    mg.set_anomaly_enabled(False)
    (mg.sqrt(x) * 0).sum().backward()               # off: the nan gradient goes through
    assert np.isnan(x.grad.numpy()).all()


# ---- vmap and compile ------------------------------------------------------------------
def test_vmap_is_func_vmap():
    assert mg.vmap is mg.func.vmap
    a, b = np.random.default_rng().standard_normal((2, 5, 3))
    got = mg.vmap(lambda u, v: (u * v).sum())(mg.tensor(a), mg.tensor(b))
    want = torch.vmap(lambda u, v: (u * v).sum())(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_compile_returns_its_argument():
    def f(x):
        return x * 2
    lin = mg.nn.Linear(2, 3)
    assert mg.compile(f) is f and mg.compile(lin) is lin
    assert mg.compile(f, fullgraph=True, dynamic=False, backend="eager", mode="max-autotune",
                      name="f", disable=False, recompile_limit=8) is f
    assert mg.compile(mode="reduce-overhead")(f) is f and mg.compile(options={})(f) is f
    assert mg.compile(backend=lambda gm, ex: gm)(f) is f


@pytest.mark.parametrize("kw", [{"mode": "bogus"}, {"backend": "nope"},
                                {"mode": "default", "options": {}}])
def test_compile_errors(kw):
    same_error(lambda: mg.compile(lambda x: x, **kw), lambda: torch.compile(lambda x: x, **kw))


def test_compile_needs_a_callable():
    with pytest.raises(AssertionError, match="A callable function is expected"):
        mg.compile(3)
    with pytest.raises(RuntimeError, match="Model can't be None"):
        mg.compile()(None)


# ---- cond and while_loop ---------------------------------------------------------------
def test_cond_values_and_gradients_as_torch():
    a = np.random.default_rng().standard_normal((2, 3))
    for sign in (1.0, -1.0):
        m = mg.tensor(a * sign, requires_grad=True)
        t = torch.tensor(a * sign, requires_grad=True)
        def branches(lib):
            return (lambda x: (lib.sin(x) * x,), lambda x: (lib.exp(x) + 1,))
        got = mg.cond(m.sum() > 0, *branches(mg), (m,))[0]
        want = torch.cond(t.sum() > 0, *branches(torch), (t,))[0]
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
        up = np.random.default_rng().standard_normal((2, 3))
        got.backward(mg.tensor(up))
        want.backward(torch.tensor(up))
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    # a Python predicate picks a branch as in torch; nested operands pass through
    assert mg.cond(False, lambda d: d["x"] + 1, lambda d: d["x"] - 1,
                   ({"x": mg.tensor(1.0)},)).item() == 0.0
    assert gradcheck(lambda x: mg.cond(mg.tensor(True), lambda u: u ** 3, lambda u: u, (x,)),
                     (mg.tensor(a, requires_grad=True),))


@pytest.mark.parametrize("call", [
    lambda lib: lib.cond(lib.ones(2), lambda x: x, lambda x: x, (lib.ones(1),)),
    lambda lib: lib.cond("a", lambda x: x, lambda x: x, (lib.ones(1),)),
    lambda lib: lib.cond(lib.tensor(True), 1, lambda x: x, (lib.ones(1),)),
    lambda lib: lib.cond(lib.tensor(True), lambda x: x, lambda x: x, lib.ones(1)),
    lambda lib: lib.cond(lib.tensor(True), lambda x, y: x, lambda x, y: x, (lib.ones(1), 2)),
])
def test_cond_errors(call):
    with pytest.raises(RuntimeError) as t_info:
        call(torch)
    with pytest.raises(RuntimeError) as m_info:
        call(mg)
    # the messages hold the arguments' reprs, which differ in dtype names only
    strip = re.compile(r"tensor\(.*?\)|\[.*\]|\(.*\)", re.S)
    assert strip.sub("", str(m_info.value)) == strip.sub("", str(t_info.value))


def test_while_loop_as_torch():
    a = np.random.default_rng().standard_normal(3)
    m, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    def loop(lib, x):
        return lib.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, lib.sin(y) * 1.5),
                              (lib.tensor(0), x))
    (mi, my), (ti, ty) = loop(mg, m), loop(torch, t)
    assert mi.item() == ti.item()
    np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    my.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    # the body never runs: clones of the inputs come back
    x = mg.tensor(a)
    i, y = mg.while_loop(lambda i, y: i < 0, lambda i, y: (i + 1, y), (mg.tensor(0), x))
    assert np.array_equal(y.numpy(), a) and y.data is not x.data
    # an int carried along
    assert mg.while_loop(lambda n, y: n < 3, lambda n, y: (n + 1, y * 2), (0, x))[0] == 3


@pytest.mark.parametrize("call, torch_error", [
    (lambda lib: lib.while_loop(lambda i: i < 3, 3, (lib.tensor(0),)), RuntimeError),
    (lambda lib: lib.while_loop(lambda i: i < 3, lambda i: (i + 1,), ("a",)), None),
    (lambda lib: lib.while_loop(lambda i: i + 1, lambda i: (i + 1,), (lib.tensor(0),)), None),
])
def test_while_loop_errors(call, torch_error):
    if torch_error is not None:
        same_error(lambda: call(mg), lambda: call(torch))
    else:
        with pytest.raises(Exception):
            call(torch)
        with pytest.raises(RuntimeError, match="carried_inputs|cond_fn must return"):
            call(mg)


@pytest.mark.parametrize("body, fragment", [
    (lambda i: i + 1, "should return a tuple"),
    (lambda i: (i + 1, i), "same number of elements"),
    (lambda i: (mg.ones(2),), "must have the shape, dtype and device"),
    (lambda i: ((i + 1).double(),), "must have the shape, dtype and device"),
])
def test_while_loop_body_errors(body, fragment):
    with pytest.raises(RuntimeError, match=re.escape(fragment)) as info:
        mg.while_loop(lambda i: i < 3, body, (mg.tensor(0),))
    assert "while_loop" in str(info.value)
