"""Shape ops against torch, including double backward through them."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

CASES = [
    ("reshape", lambda t: t.reshape(4, -1) * 1.0),
    ("view", lambda t: t.view(2, 2, 6)),
    ("permute", lambda t: t.permute(2, 0, 1)),
    ("transpose", lambda t: t.transpose(0, -1)),
    ("T", lambda t: t[0].T),
    ("unsqueeze", lambda t: t.unsqueeze(1)),
    ("unsqueeze-end", lambda t: t.unsqueeze(-1)),
    ("squeeze", lambda t: t[:, :1].squeeze()),
    ("squeeze-dim", lambda t: t[:, :1].squeeze(1)),
    ("expand", lambda t: t[:, :1].expand(2, 2, 3, 4)),
    ("expand_as", lambda t: t[:1].expand(2, -1, -1)),
    ("flatten", lambda t: t.flatten()),
    ("flatten-1", lambda t: t.flatten(1)),
    ("contiguous", lambda t: t.transpose(0, 1).contiguous()),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_shape_ops(name, fn, rng, device):
    check_op(lambda t: fn(t) ** 2, lambda t: fn(t) ** 2, [rng.standard_normal((2, 3, 4))],
             device=device, double=True)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack(dim, rng, device):
    a, b, c = (rng.standard_normal((2, 3)) for _ in range(3))
    check_op(lambda *xs: mg.cat(xs, dim), lambda *xs: torch.cat(xs, dim), [a, b, c], device=device)
    check_op(lambda *xs: mg.stack(xs, dim), lambda *xs: torch.stack(xs, dim), [a, b, c],
             device=device)


def test_cat_uneven_sizes(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 5))
    check_op(lambda x, y: mg.cat([x, y], 1), lambda x, y: torch.cat([x, y], 1), [a, b])


def test_shape_errors_name_the_op():
    x = mg.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"reshape: shape \(4, 2\) is invalid for an input "
                                           r"of shape \(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(RuntimeError, match="expand"):
        x.expand(3, 3)
    with pytest.raises(RuntimeError, match="permute"):
        x.permute(0, 0)
    with pytest.raises(IndexError, match="transpose: dim 2 is out of range"):
        x.transpose(0, 2)
    with pytest.raises(RuntimeError, match=r"cat: sizes of tensors must match"):
        mg.cat([mg.ones(2, 3), mg.ones(3, 2)], 0)


def test_size_and_numel():
    x = mg.zeros(2, 3, 4)
    assert x.size() == (2, 3, 4) and x.size(-1) == 4 and x.numel() == 24 and x.dim() == 3
    assert x.reshape(-1).shape == (24,)
    assert np.shares_memory(x.view(6, 4).data, x.data)
