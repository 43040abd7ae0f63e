"""In-place writes into views that autograd refuses to rebase, against torch 2.13: the pieces of
split, split_with_sizes, chunk and unbind (one node returns them all), views made under
no_grad or inference_mode, and views of those. Every scenario runs the same code on minigrad
and torch: both raise (same type, torch's message with minigrad's node name), or neither does
and the values and gradients agree. tensor_split/hsplit/vsplit/dsplit pieces and the unsafe_*
pieces may be written (torch makes them separate slices / no views at all)."""
from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

# how each function splits a (4, 2, 2) tensor, and whether torch lets its pieces be written
SPLITS = {
    "split": (lambda L, x: L.split(x, 2), False),
    "split_dim1": (lambda L, x: x.split(1, 1), False),
    "split_sizes": (lambda L, x: x.split([1, 3]), False),
    "split_with_sizes": (lambda L, x: x.split_with_sizes([3, 1]), False),
    "split_big": (lambda L, x: x.split(10), False),
    "chunk": (lambda L, x: L.chunk(x, 2), False),
    "chunk1": (lambda L, x: x.chunk(1, -1), False),
    "unbind": (lambda L, x: L.unbind(x), False),
    "unbind_dim2": (lambda L, x: x.unbind(2), False),
    "tensor_split": (lambda L, x: L.tensor_split(x, 3), True),
    "tensor_split_idx": (lambda L, x: x.tensor_split([1, 3], 1), True),
    "tensor_split_rev": (lambda L, x: x.tensor_split([3, 1]), True),
    "hsplit": (lambda L, x: L.hsplit(x, 2), True),
    "vsplit": (lambda L, x: x.vsplit([1]), True),
    "dsplit": (lambda L, x: L.dsplit(x, 2), True),
    "unsafe_split": (lambda L, x: L.unsafe_split(x, 2), True),
    "unsafe_chunk": (lambda L, x: x.unsafe_chunk(2), True),
    "unsafe_split_with_sizes": (lambda L, x: x.unsafe_split_with_sizes([1, 3]), True),
}
# torch's node names that minigrad's differ from (nested views only; the pieces' match)
NODE = {"Slice": "GetItem", "Select": "GetItem", "Unsqueeze": "GetItem", "View": "Reshape",
        "Transpose": "Permute"}


def run(L, scenario, data, w):
    """scenario(L, x, w) on fresh tensors; ('raise', type, message) or the values of x and
    of the returned tensor, and the gradients of the leaf and w from a weighted sum."""
    leaf = L.tensor(data, requires_grad=True)
    wt = L.tensor(w, requires_grad=True)
    try:
        # (used in grad mode first: torch's .requires_grad of a view asks its base)
        out = [t * 1 for t in scenario(L, leaf, wt)]
    except RuntimeError as e:
        return ("raise", type(e), str(e))
    vals = [t.detach().numpy().copy() for t in out]
    live = [t for t in out if t.requires_grad]
    if not live:
        return ("ok", vals, None)
    total = sum((t * L.tensor(np.linspace(-1, 2, t.numel()).reshape(tuple(t.shape)))).sum()
                for t in live)
    grads = L.autograd.grad(total, [leaf, wt], allow_unused=True)
    return ("ok", vals, [None if g is None else g.numpy() for g in grads])


def check(scenario, shape=(4, 2, 2)):
    r = np.random.default_rng(0)
    data, w = r.standard_normal(shape), r.standard_normal(shape[-1])
    got, want = run(mg, scenario, data, w), run(torch, scenario, data, w)
    assert got[0] == want[0], (got, want)
    if want[0] == "raise":
        assert got[1] is want[1]
        msg = re.sub(r"of (\w+) is a view", lambda m: f"of {NODE.get(m[1], m[1])} is a view",
                     want[2])
        if "view" in msg and "modified inplace" in msg:     # the ones this file is about
            assert got[2].endswith(msg), (got[2], msg)
        else:                       # (minigrad's other messages add a hint)
            assert msg.rstrip(".") in got[2], (got[2], msg)
        return got[2]
    for a, b in zip(got[1], want[1]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert (got[2] is None) == (want[2] is None)
    for a, b in zip(got[2] or (), want[2] or ()):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    return None


def _grad(L):
    return L.enable_grad()


MODES = {"grad": _grad, "no_grad": lambda L: L.no_grad(),
         "inference": lambda L: L.inference_mode()}


# ---- every split function, every base, every mode of making and of writing ---------------
@pytest.mark.parametrize("fn", sorted(SPLITS))
@pytest.mark.parametrize("base", ["leaf", "nonleaf", "no_grad_base"])
@pytest.mark.parametrize("write", ["mul_", "mul_w", "add_alpha", "zero_", "copy_", "setitem",
                                   "iadd", "t_", "unsqueeze_", "relu_"])
def test_writing_a_piece(fn, base, write):
    split, allowed = SPLITS[fn]

    def scenario(L, leaf, w):
        x = {"leaf": leaf, "nonleaf": leaf * 1, "no_grad_base": leaf.detach() * 1}[base]
        pieces = split(L, x)
        p = pieces[-1]
        last = p.shape[-1]
        {"mul_": lambda: p.mul_(2), "mul_w": lambda: p.mul_(w[:last]),
         "add_alpha": lambda: p.add_(L.ones(last, dtype=L.float64), alpha=2),
         "zero_": lambda: p.zero_(), "copy_": lambda: p.copy_(w[:last]),
         "setitem": lambda: p.__setitem__(0, 5.0), "iadd": lambda: p.__iadd__(1),
         "t_": lambda: p.t_() if p.ndim <= 2 else p.transpose_(0, 1),
         "unsqueeze_": lambda: p.unsqueeze_(0), "relu_": lambda: p.relu_()}[write]()
        return [x, p] + list(pieces)
    msg = check(scenario)
    if msg is not None and not allowed and base == "nonleaf" and write == "mul_":
        assert "returns multiple views" in msg and msg.startswith("mul_: ")


@pytest.mark.parametrize("fn", ["split", "split_sizes", "chunk", "unbind", "tensor_split",
                                "unsafe_split"])
@pytest.mark.parametrize("made, written", itertools.product(MODES, MODES))
@pytest.mark.parametrize("base", ["leaf", "nonleaf", "no_grad_base"])
@pytest.mark.parametrize("target", ["piece", "other", "base", "detached", "w"])
def test_modes_of_making_and_writing(fn, made, written, base, target):
    """Pieces made in grad / no_grad / inference mode, then the piece, another piece, the base
    or a detach()ed piece written in each mode, then the piece used in grad mode."""
    split = SPLITS[fn][0]
    if fn == "unsafe_split" and made == "inference" and target == "base":
        pytest.skip("torch's unsafe pieces have their own version counters (minigrad counts "
                    "writes per storage): the base's write does not reach them")

    def scenario(L, leaf, w):
        x = {"leaf": leaf, "nonleaf": leaf * 1, "no_grad_base": leaf.detach() * 1}[base]
        with MODES[made](L):
            pieces = split(L, x)
        a = pieces[0]
        with MODES[written](L):
            t = {"piece": a, "other": pieces[-1], "base": x, "detached": a.detach(),
                 "w": a}[target]
            if target == "w":
                t.mul_(w[:a.shape[-1]])
            else:
                t.mul_(2)
        return [x, a * 3, pieces[-1] + 1]
    check(scenario)


@pytest.mark.parametrize("made", list(MODES))
@pytest.mark.parametrize("sub", ["slice", "select", "view", "transpose"])
@pytest.mark.parametrize("sub_mode", list(MODES))
@pytest.mark.parametrize("when", ["direct", "indirect"])
def test_views_of_pieces(made, sub, sub_mode, when):
    """A view of a piece inherits the piece's refusal (torch's propagate_creation_meta)."""
    def scenario(L, leaf, w):
        x = leaf * 1
        with MODES[made](L):
            a = x.split(2)[0]
        with MODES[sub_mode](L):
            c = {"slice": lambda: a[0:1], "select": lambda: a[1], "view": lambda: a.view(8),
                 "transpose": lambda: a.transpose(0, 2)}[sub]()
        if when == "direct":
            c.mul_(2)
        else:
            x.mul_(2)
        return [x, c * 2]
    check(scenario)


@pytest.mark.parametrize("made", ["no_grad", "inference"])
@pytest.mark.parametrize("base", ["leaf", "nonleaf", "no_grad_base"])
@pytest.mark.parametrize("write", ["mul_", "mul_w", "base_then_use", "t_"])
def test_single_views_made_without_grad(made, base, write):
    """x[:2] made under no_grad / inference_mode: torch's messages for those modes."""
    def scenario(L, leaf, w):
        x = {"leaf": leaf, "nonleaf": leaf * 1, "no_grad_base": leaf.detach() * 1}[base]
        with MODES[made](L):
            v = x[:2]
        if write == "mul_":
            v.mul_(2)
        elif write == "mul_w":
            v.mul_(w)
        elif write == "t_":
            v.transpose_(0, 1)
        else:
            with L.no_grad():
                x.mul_(2)
            v = v * 1
        return [x, v]
    check(scenario)


def test_the_pieces_keep_working_when_nothing_is_written():
    """Using the pieces (and writing them under no_grad with nothing used after) is fine."""
    def scenario(L, leaf, w):
        x = leaf * 1
        a, b = x.split(2)
        y = a.exp() + b.exp()          # (they save their results, not a or b)
        with L.no_grad():
            b.mul_(2)           # allowed: only a later use of a or b in grad mode raises
        return [x, y]
    check(scenario)


def test_a_saved_piece_written_under_no_grad_refuses_backward():
    """torch names the view (its saved `a` is unpacked as a view); minigrad the version."""
    for L in (mg, torch):
        x = L.ones(4, 2, requires_grad=True) * 1
        a, b = x.split(2)
        y = (a * x[:2]).sum()               # saves a
        with L.no_grad():
            b.mul_(2)
        with pytest.raises(RuntimeError, match="modified (by an )?inplace"):
            y.backward()


def test_the_message_names_the_output_and_the_op():
    x = mg.randn(6, requires_grad=True) * 1
    pieces = x.unbind()
    with pytest.raises(RuntimeError, match=r"^add_: Output 4 of Unbind is a view and is being "
                                           r"modified inplace\. This view is the output"):
        pieces[4].add_(1)
    with pytest.raises(RuntimeError, match=r"^Output 1 of SplitWithSizes is a view and its "
                                           r"base or another view of its base has been"):
        x.mul_(2)
        x.split([2, 4])[1]          # made after the write: fine
        x.split([3, 3])             # (new pieces)
        pieces = x.split([1, 5])
        x.mul_(2)
        pieces[1] + 1


def test_base_of_a_view_made_under_no_grad():
    """torch's _base is the base for views made in any mode."""
    x, tx = mg.ones(4, requires_grad=True) * 1, torch.ones(4, requires_grad=True) * 1
    with mg.no_grad():
        v, a = x[:2], x.chunk(2)[1]
    with torch.no_grad():
        tv, ta = tx[:2], tx.chunk(2)[1]
    assert (v._base is x, a._base is x) == (tv._base is tx, ta._base is tx) == (True, True)


@pytest.mark.parametrize("made", list(MODES))
@pytest.mark.parametrize("key", [0, slice(0, 1), [0], "mask", Ellipsis, None, (0, 0),
                                 (slice(None), 1), (Ellipsis, 0)])
def test_setitem_names_the_view_it_writes_through(made, key):
    """p[key] = v is a write into the view p[key] for a basic key (torch names that view),
    into p itself for an advanced one."""
    def scenario(L, leaf, w):
        x = leaf * 1
        with MODES[made](L):
            p = x.split(2)[1]
        k = L.tensor([True, False]) if key == "mask" else key
        p[k] = 5.0
        return [x]
    check(scenario)


DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SHAPES = {"1d": (5,), "1elem": (1,), "empty_dim": (0, 3), "empty_other": (3, 0),
          "noncontig": (2, 3, 4)}


def outcome(f):
    try:
        return ("ok", f())
    except RuntimeError as e:
        return ("raise", str(e))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("fn", ["split", "chunk", "unbind", "tensor_split"])
@pytest.mark.parametrize("grad", [False, True])
def test_dtypes_and_shapes(dtype, shape, fn, grad):
    """Every dtype, 0-d pieces (unbind of 1-D), empty and non-contiguous inputs: writes with
    nothing to record go through (the base sees them); a write that autograd would record
    (a float base that requires grad) raises the same error."""
    r = np.random.default_rng(1)
    data = (r.standard_normal(SHAPES[shape]) * 3).astype(dtype)
    floating = dtype.startswith("float")

    def go(L):
        x = L.tensor(data)
        if shape == "noncontig":
            x = x.permute(2, 0, 1)
        if grad and floating:
            x = x.requires_grad_() * 1
        pieces = SPLITS[fn][0](L, x)
        for p in pieces:
            p.mul_(True if dtype == "bool" else 2)
        return x.detach().numpy().copy(), [tuple(p.shape) for p in pieces]
    got, want = outcome(lambda: go(mg)), outcome(lambda: go(torch))
    assert got[0] == want[0], (got, want)
    if want[0] == "raise":
        assert got[1].endswith(want[1])
    else:
        np.testing.assert_array_equal(got[1][0], want[1][0])
        assert got[1][1] == want[1][1]


@pytest.mark.parametrize("made", ["split", "no_grad_slice"])
def test_a_base_that_comes_to_require_grad(made):
    """The base required no grad when the view was made, then an in-place op with an operand
    that requires grad gave it a history: using the view in grad mode is refused."""
    def scenario(L, leaf, w):
        x = leaf.detach() * 1
        if made == "split":
            a = x.split(2)[0]
        else:
            with L.no_grad():
                a = x[:2]
        x.mul_(w)
        return [x, a]
    check(scenario)
