"""mg.Size, mg.dtype, mg.layout, the legacy typed constructors (mg.FloatTensor, ...),
Tensor.new, Tensor.type with them, set_default_tensor_type and empty_permuted, against
torch: values, types, reprs, strides and errors (type and message)."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg

LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
          "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


def _dt(d):
    return str(d).replace("torch.", "")


def _raises_like(mg_call, torch_call, fragment=None):
    """Both raise; minigrad's error is of torch's builtin class (and has `fragment`)."""
    with pytest.raises(Exception) as te:
        torch_call()
    kind = next(k for k in type(te.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind) as me:
        mg_call()
    if fragment is not None:
        assert fragment in str(te.value) and fragment in str(me.value), (te.value, me.value)


# ---- Size ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (0,), (2, 3), (4, 0, 5), (1, 1, 7, 2)])
def test_size_as_torch(shape):
    ms, ts = mg.Size(list(shape)), torch.Size(list(shape))
    assert repr(ms) == repr(ts) and str(ms) == str(ts)
    assert ms.numel() == ts.numel() and ms == ts and hash(ms) == hash(ts) == hash(shape)
    for other in [(4,), (), (1, 2)]:
        for mr, tr in [(ms + other, ts + other), (other + ms, other + ts),
                       (ms + mg.Size(other), ts + torch.Size(other))]:
            assert type(mr) is mg.Size and repr(mr) == repr(tr)
    for n in (0, 1, 3, -1):
        assert type(ms * n) is mg.Size and repr(ms * n) == repr(ts * n) == repr(n * ts)
        assert repr(n * ms) == repr(ts * n)
    for sl in (slice(1, None), slice(None, None, -1), slice(5, None)):
        assert type(ms[sl]) is mg.Size and repr(ms[sl]) == repr(ts[sl])
    if shape:
        assert type(ms[-1]) is int and ms[-1] == ts[-1]
        assert ms.index(shape[0]) == ts.index(shape[0]) and ms.count(1) == ts.count(1)
    back = pickle.loads(pickle.dumps(ms))
    assert type(back) is mg.Size and back == ms


def test_size_elements_as_torch():
    np_int = np.int64(3)
    assert mg.Size([True, np_int, mg.tensor(2)]) == torch.Size([True, np_int, torch.tensor(2)])
    assert mg.Size(np.array([2, 3])) == torch.Size(np.array([2, 3]))
    assert mg.Size(x for x in [1, 2]) == (1, 2) and mg.Size([-1]) == torch.Size([-1])
    for bad in ([2.0], ["a"], [[1]], [None], [np.float64(2)], [mg.tensor(2.0)],
                [mg.tensor([2, 3])]):
        tbad = [torch.tensor(2.0)] if isinstance(bad[0], mg.Tensor) and bad[0].ndim == 0 \
            else [torch.tensor([2, 3])] if isinstance(bad[0], mg.Tensor) else bad
        _raises_like(lambda b=bad: mg.Size(b), lambda b=tbad: torch.Size(b),
                     "torch.Size() takes an iterable of 'int' (item 0 is")
    # torch keeps an int past int64 (as a tuple) and refuses it in repr and numel
    big, tbig = mg.Size([2**70]), torch.Size([2**70])
    assert big == tbig == (2**70,)
    _raises_like(lambda: repr(big), lambda: repr(tbig), "Overflow when unpacking long long")
    _raises_like(lambda: big.numel(), lambda: tbig.numel(), "Overflow when unpacking long long")
    assert mg.Size([2**62, 4]).numel() == torch.Size([2**62, 4]).numel()
    assert mg.Size([2**62, 3]).numel() == torch.Size([2**62, 3]).numel()
    _raises_like(lambda: mg.Size(2), lambda: torch.Size(2), "not iterable")
    _raises_like(lambda: mg.Size([2]) + [3], lambda: torch.Size([2]) + [3],
                 "can only concatenate tuple (not list) to torch.Size")
    _raises_like(lambda: mg.Size([2]) * 1.5, lambda: torch.Size([2]) * 1.5,
                 "can't multiply sequence by non-int of type 'float'")
    _raises_like(lambda: mg.Size([2]) * mg.Size([1]), lambda: torch.Size([2]) * torch.Size([1]),
                 "can't multiply sequence by non-int of type 'torch.Size'")


@pytest.mark.parametrize("view", [lambda t: t, lambda t: t.t(), lambda t: t[:, ::2],
                                  lambda t: t[0, 0], lambda t: t[:0]])
def test_shape_and_size_are_sizes(view):
    m, t = view(mg.zeros(3, 4)), view(torch.zeros(3, 4))
    for ms, ts in [(m.shape, t.shape), (m.size(), t.size())]:
        assert type(ms) is mg.Size and repr(ms) == repr(ts)
    for d in range(-m.ndim, m.ndim):
        assert type(m.size(d)) is int and m.size(d) == t.size(d)
    assert mg.zeros(m.shape).shape == m.shape and mg.ones(3, 4).reshape(m.shape[:0] + (12,)).shape \
        == (12,)


# ---- dtype and layout ---------------------------------------------------------------------
def test_dtype_isinstance():
    for name in ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                 "float64", "half", "float", "double", "long"]:
        assert isinstance(getattr(mg, name), mg.dtype) == isinstance(getattr(torch, name),
                                                                     torch.dtype) is True
    assert isinstance(mg.ones(2).dtype, (mg.dtype, str))
    for other in [np.dtype("complex64"), np.dtype("uint16"), "float32", float, None, 3]:
        assert not isinstance(other, mg.dtype)
    assert issubclass(type(mg.float32), mg.dtype)
    _raises_like(lambda: mg.dtype(), lambda: torch.dtype(), "cannot create 'torch.dtype'")


def test_layout():
    assert isinstance(mg.strided, mg.layout) and type(mg.strided) is mg.layout
    assert isinstance(torch.strided, torch.layout)
    assert repr(mg.strided) == repr(torch.strided) and mg.ones(2).layout is mg.strided
    _raises_like(lambda: mg.layout(), lambda: torch.layout(), "cannot create 'torch.layout'")


# ---- legacy typed constructors ------------------------------------------------------------
def _same(m, t):
    assert isinstance(m, mg.Tensor) and tuple(m.shape) == tuple(t.shape)
    assert _dt(m.dtype) == _dt(t.dtype)


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_constructor_forms(name):
    M, T = getattr(mg, name), getattr(torch, name)
    rng = np.random.default_rng(len(name))
    data = (rng.standard_normal((3, 2)) * 3).__abs__().tolist()
    for args in [(2, 3), (0,), (mg.Size([2, 1]),), (np.int64(2), 3), (np.array(3),)]:
        targs = tuple(torch.Size(a) if isinstance(a, mg.Size) else a for a in args)
        _same(M(*args), T(*targs))
    for d in [data, data[0], [], (1.5, 2), np.array(data)]:
        m, t = M(d), T(d)
        _same(m, t)
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    _same(M(), T())
    _same(M(2, device="cpu"), T(2, device="cpu"))
    assert M.__name__ == T.__name__ and repr(M) == repr(T)
    assert _dt(M.dtype) == _dt(T.dtype) and M.is_cuda is T.is_cuda is False
    assert type(M).__name__ == type(T).__name__ == "tensortype"


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_isinstance_and_alias(name):
    M, T = getattr(mg, name), getattr(torch, name)
    for other in LEGACY:
        mx, tx = getattr(mg, other)([1, 0]), getattr(torch, other)([1, 0])
        assert isinstance(mx, M) == isinstance(tx, T)
        if isinstance(tx, T):                      # from a tensor of its type: an alias
            a = M(mx)
            assert a.data_ptr() == mx.data_ptr() and a is not mx
        else:
            _raises_like(lambda: M(mx), lambda: T(tx), "expected TensorOptions(dtype=")
    assert not isinstance(3, M) and not isinstance(np.zeros(2), M)


def test_legacy_alias_keeps_graph_and_strides():
    x = mg.ones(3, 4, dtype=mg.float32, requires_grad=True)
    tx = torch.ones(3, 4, dtype=torch.float32, requires_grad=True)
    a, ta = mg.FloatTensor(x.t()), torch.FloatTensor(tx.t())
    assert a.requires_grad == ta.requires_grad and a.stride() == ta.stride()
    g = np.random.default_rng(0).standard_normal((4, 3))
    (a * mg.tensor(g, dtype=mg.float32)).sum().backward()
    (ta * torch.tensor(g, dtype=torch.float32)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("args,kwargs,frag", [
    ((2.5,), {}, "data must be a sequence (got float)"),
    ((True,), {}, "data must be a sequence (got bool)"),
    ((None,), {}, "data must be a sequence (got NoneType)"),
    ((np.float64(2),), {}, "data must be a sequence (got numpy.float64)"),
    (("a",), {}, "invalid data type 'str'"),
    ((2, 3.0), {}, "failed to unpack the object at pos 2 with error \"type must be tuple of "
                   "ints,but got float\""),
    ((2, [3]), {}, "but got list"),
    ((-1,), {}, "Trying to create tensor with negative dimension -1: [-1]"),
    ((2**63, 3), {}, "Overflow when unpacking long long"),
    (([1], [2]), {}, "received an invalid combination of arguments - got (list, list)"),
    ((2,), {"dtype": "float64"}, "received an invalid combination of arguments"),
    ((2,), {"requires_grad": True}, "received an invalid combination of arguments"),
    (([[1, 2], [3]],), {}, None),
])
def test_legacy_errors(args, kwargs, frag):
    for make in (lambda L: L.FloatTensor, lambda L: L.ones(2, dtype=L.float32).new):
        kw = {k: getattr(mg, v) if k == "dtype" else v for k, v in kwargs.items()}
        tkw = {k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()}
        _raises_like(lambda: make(mg)(*args, **kw), lambda: make(torch)(*args, **tkw), frag)


def test_legacy_device_must_match():
    with pytest.raises(RuntimeError, match="legacy constructor expects device type: cpu but "
                                           "device type: cuda was passed"):
        mg.FloatTensor(2, device="cuda")


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint8", "bool", "float16"])
def test_tensor_new(dtype):
    x, tx = mg.ones(2, dtype=getattr(mg, dtype)), torch.ones(2, dtype=getattr(torch, dtype))
    for args in [(2, 3), (), ([1.5, 0.0, 2.0],), ((2, 1),), (mg.Size([2, 1]),), ((),)]:
        targs = tuple(torch.Size(a) if isinstance(a, mg.Size) else a for a in args)
        m, t = x.new(*args), tx.new(*targs)
        _same(m, t)
        if not (args and isinstance(args[0], (int, mg.Size))):
            np.testing.assert_array_equal(m.numpy(), t.numpy())
        assert not m.requires_grad
    a = x.new(x)
    assert a.data_ptr() == x.data_ptr()
    other = mg.ones(2, dtype=mg.int32 if dtype != "int32" else mg.int64)
    tother = torch.ones(2, dtype=torch.int32 if dtype != "int32" else torch.int64)
    _raises_like(lambda: x.new(other), lambda: tx.new(tother), "expected TensorOptions(")


@pytest.mark.parametrize("name", LEGACY)
def test_type_with_legacy_types(name):
    x, tx = mg.tensor([1.0, 0.0, 2.5]), torch.tensor([1.0, 0.0, 2.5])
    for arg, targ in [(getattr(mg, name), getattr(torch, name)),
                      (f"torch.{name}", f"torch.{name}")]:
        m, t = x.type(arg), tx.type(targ)
        _same(m, t)
        np.testing.assert_array_equal(m.numpy(), t.numpy())
        assert m.type() == t.type() == f"torch.{name}"


def test_set_default_tensor_type():
    prev_m, prev_t = mg.get_default_dtype(), torch.get_default_dtype()
    try:
        for arg in ["DoubleTensor", "torch.HalfTensor", "FloatTensor", "torch.DoubleTensor"]:
            m_arg = getattr(mg, arg) if "." not in arg else arg
            t_arg = getattr(torch, arg) if "." not in arg else arg
            with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
                mg.set_default_tensor_type(m_arg)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.set_default_tensor_type(t_arg)
            assert _dt(mg.get_default_dtype()) == _dt(torch.get_default_dtype())
            assert _dt(mg.ones(1).dtype) == _dt(torch.ones(1).dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for bad in ["LongTensor", "torch.IntTensor", "BoolTensor"]:
                m_arg = getattr(mg, bad) if "." not in bad else bad
                t_arg = getattr(torch, bad) if "." not in bad else bad
                _raises_like(lambda: mg.set_default_tensor_type(m_arg),
                             lambda: torch.set_default_tensor_type(t_arg),
                             "only floating-point types are supported as the default type")
            _raises_like(lambda: mg.set_default_tensor_type(mg.float64),
                         lambda: torch.set_default_tensor_type(torch.float64),
                         "invalid type object")
            _raises_like(lambda: mg.set_default_tensor_type("bogus.FloatTensor"),
                         lambda: torch.set_default_tensor_type("bogus.FloatTensor"),
                         "No module named 'bogus'")
            _raises_like(lambda: mg.set_default_tensor_type("torch.NopeTensor"),
                         lambda: torch.set_default_tensor_type("torch.NopeTensor"),
                         "has no attribute 'NopeTensor'")
    finally:                    # (conftest runs torch at float64: put both back as they were)
        mg.set_default_dtype(prev_m)
        torch.set_default_dtype(prev_t)


# ---- empty_permuted -----------------------------------------------------------------------
def test_empty_permuted_strides(defaults):
    rng = np.random.default_rng(0)
    for nd in range(0, 5):
        for _ in range(6):
            size = tuple(int(s) for s in rng.integers(0, 4, nd))
            perm = tuple(int(p) for p in rng.permutation(nd))
            m, t = mg.empty_permuted(size, perm), torch.empty_permuted(size, perm)
            assert m.shape == t.shape and m.stride() == t.stride(), (size, perm)
            assert m.is_contiguous() == t.is_contiguous() and _dt(m.dtype) == _dt(t.dtype)
    m = mg.empty_permuted([2, 3], [1, 0], dtype=mg.int64, requires_grad=False)
    t = torch.empty_permuted([2, 3], [1, 0], dtype=torch.int64)
    assert _dt(m.dtype) == _dt(t.dtype) and m.stride() == t.stride()
    assert mg.empty_permuted((2, 3), (1, 0), requires_grad=True).requires_grad
    assert mg.empty_permuted((2, 3), (1, 0), layout=mg.strided).shape == (2, 3)


@pytest.mark.parametrize("size,perm,frag", [
    ((2, 3), (0, 0), "Duplicate dim not allowed"),
    ((2, 3), (0,), "len(size) = 2 is not equal to len(physical_layout) = 1"),
    ((2, 3), (0, 2), "expected to be between 0 and 1, but got 2 at index 1"),
    ((2, 3), (0, -1), "but got -1 at index 1"),
    ((2, -3), (1, 0), "Trying to create tensor with negative dimension -3: [-3, 2]"),
    (2, (0,), "argument 'size' (position 1) must be tuple of ints, not int"),
    ((2, 3), (1.0, 0), "must be tuple of ints, but found element of type float"),
])
def test_empty_permuted_errors(size, perm, frag):
    _raises_like(lambda: mg.empty_permuted(size, perm), lambda: torch.empty_permuted(size, perm),
                 frag)


def test_tensor_constructor_reads_a_size_as_sizes(defaults):
    for shape in [(2, 3), (), (0, 4)]:
        m, t = mg.Tensor(mg.Size(shape)), torch.Tensor(torch.Size(shape))
        _same(m, t)
    np.testing.assert_array_equal(mg.Tensor((2, 3)).numpy(), torch.Tensor((2, 3)).numpy())
