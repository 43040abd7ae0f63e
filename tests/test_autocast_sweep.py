"""CPU autocast (float16) over the shapes sweep: for every swept name, its first row of
tests/sweep_rows_*.py with floating, non-empty inputs runs again with them in float32, inside
autocast("cpu", dtype=float16) in both libraries, and the result dtypes must be torch's.
This checks the op lists of minigrad/autocast_state.py and, as important, that no unlisted
op's internals are cast where torch's are not (and the other way round)."""
from __future__ import annotations

import importlib
import pathlib
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

from sweep_table import CASES  # noqa: E402  (needs torch)

for _path in sorted(pathlib.Path(__file__).parent.glob("sweep_rows_*.py")):
    importlib.import_module(_path.stem)


def _first_float_rows():
    """One row per name: its first whose specs are all non-empty float inputs."""
    seen, rows = set(), []
    for name, mg_fn, torch_fn, specs, opts in CASES:
        if name in seen or opts.get("module") or mg_fn is None or not specs:
            continue
        if not any(s.kind in "fp" for s in specs) or any(0 in s.shape for s in specs):
            continue
        seen.add(name)
        rows.append((name, mg_fn, torch_fn, specs))
    return rows


ROWS = _first_float_rows()


def _tensors(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o)]
    return [out] if hasattr(out, "dtype") and hasattr(out, "shape") else []


def _run(fn, args, lib, autocast=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with lib.autocast("cpu", dtype=lib.float16, enabled=autocast):
                return fn(*args)
        except Exception:           # noqa: BLE001 (torch lacks many float16 CPU kernels)
            return None


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_result_dtypes_under_autocast_are_torchs(row, defaults):
    name, mg_fn, torch_fn, specs = row
    rng = np.random.default_rng(0)
    arrays = [s.array(rng) for s in specs]
    arrays = [a.astype(np.float32) if a.dtype == np.float64 else a for a in arrays]
    t_out = _run(torch_fn, [torch.from_numpy(a.copy()) for a in arrays], torch)
    if t_out is None:
        pytest.skip("torch raises here under autocast (often: no float16 CPU kernel)")
    m_out = _run(mg_fn, [mg.tensor(a) for a in arrays], mg)
    if m_out is None and _run(mg_fn, [mg.tensor(a) for a in arrays], mg, False) is None:
        pytest.skip("the row is not made for float32 inputs (it mixes in float64 tensors)")
    assert m_out is not None, f"{name}: torch runs under autocast, minigrad raises"
    mt, tt = _tensors(m_out), _tensors(t_out)
    assert [str(t.dtype).replace("torch.", "") for t in mt] == \
        [str(t.dtype).replace("torch.", "") for t in tt], name
