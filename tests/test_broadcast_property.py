"""Property test: any pair of broadcastable shapes gives torch's values and gradients."""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import assert_close


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: each dim of each side is the common size or 1, or missing."""
    out = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    shapes = []
    for _ in range(2):
        lead = draw(st.integers(0, len(out)))
        shapes.append(tuple(draw(st.sampled_from([n, 1])) for n in out[lead:]))
    return shapes


OPS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
       "div": lambda a, b: a / b, "maximum": lambda a, b: a.maximum(b)}


@settings(max_examples=60, deadline=None)
@given(broadcast_pair(), st.sampled_from(sorted(OPS)), st.integers(0, 2**32 - 1))
def test_broadcast_values_and_gradients(shapes, name, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) for s in shapes)
    b = np.abs(b) + 0.5 if name == "div" else b
    ma, mb = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, tout = OPS[name](ma, mb), OPS[name](ta, tb)
    assert out.shape == tuple(tout.shape)
    assert_close(out, tout, 1e-12, 1e-12)
    w = rng.standard_normal(tout.shape)
    (out * mg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    assert ma.grad.shape == a.shape and mb.grad.shape == b.shape
    assert_close(ma.grad, ta.grad, 1e-12, 1e-12)
    assert_close(mb.grad, tb.grad, 1e-12, 1e-12)
