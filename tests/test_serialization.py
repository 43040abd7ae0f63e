"""mg.save / mg.load: round trips, no pickle, atomic writes, clear errors on bad files."""
import io
import os

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn, optim


def _model():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))


def test_round_trip_model_optimizer_and_python_values(tmp_path):
    m = _model()
    opt = optim.Adam(m.parameters(), lr=0.01)
    m(mg.randn(4, 1, 4, 4)).sum().backward()
    opt.step()
    ckpt = {"model": m.state_dict(), "optim": opt.state_dict(), "epoch": 7,
            "history": [0.5, float("inf")], "pair": (1, "a"), "none": None,
            "array": np.arange(6).reshape(2, 3), "scalar": np.float32(1.5),
            "float64": mg.tensor([1.0, 2.0], dtype=mg.float64)}
    path = tmp_path / "ckpt.npz"
    mg.save(ckpt, path)
    back = mg.load(path)
    assert back["epoch"] == 7 and back["history"] == [0.5, float("inf")]
    assert back["pair"] == (1, "a") and back["none"] is None
    assert np.array_equal(back["array"], ckpt["array"]) and back["scalar"].dtype == np.float32
    assert back["float64"].dtype == mg.float64
    assert list(back["model"]) == list(m.state_dict())
    for k, v in m.state_dict().items():
        assert back["model"][k].dtype == v.dtype
        np.testing.assert_array_equal(back["model"][k].numpy(), v.numpy())
    m2 = _model()
    m2.load_state_dict(back["model"])
    m.eval(), m2.eval()
    x = mg.randn(2, 1, 4, 4)
    np.testing.assert_array_equal(m(x).detach().numpy(), m2(x).detach().numpy())
    opt2 = optim.Adam(m2.parameters(), lr=0.5)
    opt2.load_state_dict(back["optim"])
    assert opt2.param_groups[0]["lr"] == 0.01
    assert sorted(back["optim"]["state"]) == list(range(len(list(m.parameters()))))


def test_parameters_and_requires_grad_survive(tmp_path):
    p = nn.Parameter(mg.ones(2))
    mg.save({"p": p, "t": mg.zeros(1, requires_grad=True)}, tmp_path / "x.npz")
    back = mg.load(tmp_path / "x.npz")
    assert isinstance(back["p"], nn.Parameter) and back["t"].requires_grad


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    mg.save({"a": mg.arange(3)}, buf)
    buf.seek(0)
    assert mg.load(buf)["a"].tolist() == [0, 1, 2]


def test_the_file_has_no_pickle_and_loads_with_numpy(tmp_path):
    path = tmp_path / "c.npz"
    mg.save({"w": mg.ones(2, 2)}, path)
    with np.load(path, allow_pickle=False) as z:      # plain npz, readable without minigrad
        assert "__minigrad__" in z.files and len(z.files) == 2


def test_unsaveable_objects_raise_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save builtin_function_or_method at obj\['f'\]"):
        mg.save({"f": len}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="dict key"):
        mg.save({(1, 2): 3}, tmp_path / "x.npz")
    assert not os.listdir(tmp_path)                    # nothing half-written is left


def test_truncated_file_raises(tmp_path):
    path = tmp_path / "c.npz"
    mg.save({"w": mg.randn(100, 100)}, path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 2):
        bad = tmp_path / f"cut{cut}.npz"
        bad.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match="truncated|not a minigrad checkpoint"):
            mg.load(bad)


def test_foreign_files_raise(tmp_path):
    torch.save({"a": torch.zeros(2)}, tmp_path / "t.pt")
    with pytest.raises(RuntimeError, match="torch.load"):
        mg.load(tmp_path / "t.pt")
    np.savez(tmp_path / "plain.npz", a=np.zeros(2))
    with pytest.raises(RuntimeError, match="no '__minigrad__' entry"):
        mg.load(tmp_path / "plain.npz")
    (tmp_path / "text").write_text("hello")
    with pytest.raises(RuntimeError, match="not a minigrad checkpoint"):
        mg.load(tmp_path / "text")
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / "missing.npz")


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "c.npz"
    mg.save({"v": mg.ones(2)}, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"v": mg.zeros(2)}, path)
    assert path.read_bytes() == before                 # the old checkpoint is intact
    assert os.listdir(tmp_path) == ["c.npz"]           # and no temporary file is left


def test_torch_state_dict_through_numpy_loads(tmp_path):
    t = torch.nn.Linear(3, 2).float()
    mg.save({k: v.numpy() for k, v in t.state_dict().items()}, tmp_path / "t.npz")
    m = nn.Linear(3, 2)
    m.load_state_dict(mg.load(tmp_path / "t.npz"))
    np.testing.assert_array_equal(m.weight.detach().numpy(), t.weight.detach().numpy())


def test_saved_file_has_the_umask_mode_and_stale_temps_go(tmp_path):
    """A save creates its file as open() would (0644 under umask 022, not mkstemp's 0600),
    and removes temporary files that a killed earlier save of the same target left behind."""
    import os
    import stat
    target = tmp_path / "ckpt.npz"
    stale = tmp_path / "ckpt.npz.k3j2x9.tmp"
    stale.write_bytes(b"half a checkpoint")
    other = tmp_path / "other.npz.abc.tmp"             # another target's temp: left alone
    other.write_bytes(b"x")
    old = os.umask(0o022)
    try:
        mg.save({"w": mg.ones(3)}, target)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
    assert not stale.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npz", "other.npz.abc.tmp"]
    assert mg.load(target)["w"].tolist() == [1.0, 1.0, 1.0]


def test_safetensors_paths_need_the_package_and_say_how_to_install(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "safetensors", None)      # as if it were not installed
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    hint = r'pip install -e "\.\[safetensors\]" in minigrad\'s checkout'
    with pytest.raises(ImportError, match=hint):
        mg.save({"w": mg.ones(2)}, tmp_path / "m.safetensors")
    with pytest.raises(ImportError, match=hint):
        mg.load(tmp_path / "m.safetensors")
    with pytest.raises(TypeError, match=r"\.npz path instead"):  # checked before the import
        mg.save({"w": {"nested": mg.ones(2)}}, tmp_path / "m.safetensors")
    assert not os.listdir(tmp_path)
