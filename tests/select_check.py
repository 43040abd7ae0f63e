"""Helpers shared by tests/test_select.py and tests/test_index_write.py: compare a result
with torch's (shape, dtype, values) and check that both raise the same kind of error."""
import numpy as np
import pytest

import minigrad as mg




def _mg(a, device):
    return mg.tensor(a, device=device)


def _same(m, t):
    """minigrad's result equals torch's: shape, dtype and values (NaN where NaN)."""
    ms = m if isinstance(m, (tuple, list)) else (m,)
    ts = t if isinstance(t, (tuple, list)) else (t,)
    assert len(ms) == len(ts)
    for a, b in zip(ms, ts):
        assert a.shape == tuple(b.shape)
        assert str(a.dtype) == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(a.cpu().detach().numpy(), b.detach().numpy(), rtol=1e-12,
                                   atol=0, equal_nan=True)


def _raises(fn_mg, fn_torch, kind, match=None):
    """Both raise `kind`; minigrad's error is of the builtin class torch's is."""
    with pytest.raises(kind) as t_err:
        fn_torch()
    builtin = next(k for k in t_err.type.__mro__ if k.__module__ == "builtins")
    with pytest.raises(builtin, match=match):
        fn_mg()
