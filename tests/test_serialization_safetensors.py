"""mg.save / mg.load of ".safetensors" paths: weights written by torch load into the same
minigrad model and give torch's outputs, and minigrad's files load in torch."""
import os
import stat
import struct

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn

safetensors = pytest.importorskip("safetensors")
from safetensors.torch import load_file as torch_load_file  # noqa: E402
from safetensors.torch import save_file as torch_save_file  # noqa: E402


def _torch_model():
    return torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.BatchNorm2d(3),
                               torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(48, 8),
                               torch.nn.LayerNorm(8), torch.nn.Linear(8, 4))


def _mg_model():
    return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                         nn.Flatten(), nn.Linear(48, 8), nn.LayerNorm(8), nn.Linear(8, 4))


def _trained_torch_model(dtype):
    torch.manual_seed(0)
    tm = _torch_model().to(dtype)
    tm(torch.randn(5, 2, 4, 4, dtype=dtype))            # running stats move off their init
    with torch.no_grad():
        tm[5].weight.uniform_(0.5, 1.5)                  # LayerNorm's affine off its init
        tm[5].bias.uniform_(-0.5, 0.5)
    return tm.eval()


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
def test_torch_written_weights_give_torch_outputs(tmp_path, dtype, tol):
    tm = _trained_torch_model(dtype)
    torch_save_file(tm.state_dict(), tmp_path / "model.safetensors")
    state = mg.load(tmp_path / "model.safetensors")
    assert sorted(state) == sorted(tm.state_dict())
    assert all(isinstance(v, mg.Tensor) for v in state.values())
    assert state["1.num_batches_tracked"].dtype == mg.int64
    m = _mg_model().to(mg.float64 if dtype == torch.float64 else mg.float32)
    m.load_state_dict(state)
    m.eval()
    x = np.random.default_rng(0).standard_normal((3, 2, 4, 4))
    with torch.no_grad():
        want = tm(torch.tensor(x, dtype=dtype)).numpy()
    got = m(mg.tensor(x).to(m[0].weight.dtype)).detach().numpy()
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_minigrad_written_weights_load_in_torch(tmp_path):
    m = _mg_model()
    m(mg.randn(4, 2, 4, 4))                             # update the running stats
    m.eval()
    path = tmp_path / "model.safetensors"
    mg.save(m.state_dict(), path)
    state = torch_load_file(path)
    for k, v in m.state_dict().items():
        assert state[k].numpy().dtype == v.dtype
        np.testing.assert_array_equal(state[k].numpy(), v.numpy())
    tm = _torch_model().float()                         # conftest's default dtype is float64
    tm.load_state_dict(state)
    tm.eval()
    x = np.random.default_rng(1).standard_normal((2, 2, 4, 4)).astype(np.float32)
    with torch.no_grad():
        want = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(m(mg.tensor(x)).detach().numpy(), want, rtol=1e-5, atol=1e-6)
    with safetensors.safe_open(path, framework="np") as f:
        assert f.metadata() == {"format": "pt"}


def test_round_trip_dtypes_arrays_and_file_mode(tmp_path):
    obj = {"f16": mg.ones(2, dtype=mg.float16), "u8": mg.arange(3, dtype=mg.uint8),
           "b": mg.tensor([True, False]), "arr": np.arange(6.0).reshape(2, 3).T,  # not C-order
           "empty": mg.zeros(0, 3), "scalar": mg.tensor(2.5)}
    path = tmp_path / "w.safetensors"
    old = os.umask(0o022)
    try:
        mg.save(obj, path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert os.listdir(tmp_path) == ["w.safetensors"]    # no temporary file is left
    back = mg.load(path, map_location="cpu")
    for k, v in obj.items():
        want = v if isinstance(v, np.ndarray) else v.numpy()
        assert back[k].dtype == want.dtype and back[k].shape == want.shape
        np.testing.assert_array_equal(back[k].numpy(), want)
    back["f16"].add_(1)                                  # the arrays are writeable


def test_only_flat_dicts_of_tensors(tmp_path):
    path = tmp_path / "x.safetensors"
    opt = mg.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    for obj, message in [([mg.ones(1)], "got list"), ({"a": {"b": mg.ones(1)}}, "is a dict"),
                         ({1: mg.ones(1)}, "key 1 is not a str"),
                         (opt.state_dict(), "obj\\['state'\\] is a dict"),
                         ({"c": np.zeros(2, np.complex128)}, "dtype complex128")]:
        with pytest.raises(TypeError, match=f"flat dict of name -> tensor.*{message}.*\\.npz"):
            mg.save(obj, path)
    assert not os.listdir(tmp_path)


def test_bfloat16_and_float8_are_refused_clearly(tmp_path):
    path = tmp_path / "bf.safetensors"
    torch_save_file({"w": torch.ones(2, dtype=torch.bfloat16), "v": torch.ones(1)}, path)
    with pytest.raises(RuntimeError, match=r"bf.safetensors: tensor 'w' has dtype BF16, which "
                       r"minigrad does not have; convert it before saving \(in torch: "):
        mg.load(path)
    if hasattr(torch, "float8_e4m3fn"):
        torch_save_file({"f8": torch.zeros(2, dtype=torch.float8_e4m3fn)}, path)
        with pytest.raises(RuntimeError, match="dtype F8_E4M3"):
            mg.load(path)


def test_bad_files_and_the_size_limit(tmp_path):
    path = tmp_path / "bad.safetensors"
    for raw in (b"", b"garbage", struct.pack("<Q", 10**12) + b"{}",
                struct.pack("<Q", 40) + b'{"w": {"dtype": "F32", "shape": [1000], '
                b'"data_offsets": [0, 4000]}}'):
        path.write_bytes(raw)
        with pytest.raises(RuntimeError, match="bad.safetensors is not a valid safetensors"):
            mg.load(path)
    mg.save({"w": mg.zeros(1000)}, path)
    with pytest.raises(RuntimeError, match=r"more than max_bytes=100\. If you trust the file, "
                       r"raise the limit: mg.load\(\.\.\., max_bytes=\.\.\.\)"):
        mg.load(path, max_bytes=100)
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / "missing.safetensors")
