"""minigrad.data: datasets, DataLoader batching/shuffling, and the offline data sets."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    datasets,
    default_collate,
    random_split,
)


def _ds(n=10):
    return TensorDataset(mg.arange(n).reshape(n, 1).float(), mg.arange(n))


@pytest.mark.parametrize("batch,drop,expected", [(3, False, [3, 3, 3, 1]), (3, True, [3, 3, 3]),
                                                 (10, False, [10]), (20, True, [])])
def test_batch_sizes_and_len(batch, drop, expected):
    dl = DataLoader(_ds(), batch_size=batch, drop_last=drop)
    sizes = [len(y) for _, y in dl]
    assert sizes == expected and len(dl) == len(expected)


def test_order_shuffle_and_seed():
    ys = [v for _, y in DataLoader(_ds(), batch_size=4) for v in y.tolist()]
    assert ys == list(range(10))
    a = [v for _, y in DataLoader(_ds(), batch_size=4, shuffle=True, seed=3) for v in y.tolist()]
    b = [v for _, y in DataLoader(_ds(), batch_size=4, shuffle=True, seed=3) for v in y.tolist()]
    assert a == b and sorted(a) == list(range(10)) and a != list(range(10))
    dl = DataLoader(_ds(), batch_size=10, shuffle=True, generator=np.random.default_rng(0))
    assert next(iter(dl))[1].tolist() != next(iter(dl))[1].tolist()   # a new order per epoch


def test_generic_dataset_and_collate():
    class Pairs(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float32), "y": i, "name": f"s{i}"}
    batch = next(iter(DataLoader(Pairs(), batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["y"].dtype == mg.int64
    assert batch["name"] == ["s0", "s1", "s2"]
    out = default_collate([(mg.ones(2), 1.5), (mg.zeros(2), 2.5)])
    assert out[0].shape == (2, 2) and out[1].tolist() == [1.5, 2.5]
    with pytest.raises(TypeError, match="batch must contain tensors"):
        default_collate([object()])


def test_subset_concat_and_random_split():
    ds = _ds()
    sub = Subset(ds, [7, 2])
    assert [y.tolist() for _, y in DataLoader(sub, batch_size=2)] == [[7, 2]]
    both = ConcatDataset([ds, sub])
    assert len(both) == 12 and both[11][1].item() == 2 and both[-1][1].item() == 2
    a, b = random_split(ds, [0.7, 0.3], generator=0)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    with pytest.raises(ValueError, match="sum of input lengths"):
        random_split(ds, [3, 3])


def test_errors():
    with pytest.raises(AssertionError, match="Size mismatch"):       # (torch's type)
        TensorDataset(mg.zeros(3), mg.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_ds(), batch_size=0)


@pytest.mark.cuda
def test_batches_on_cuda():
    if not mg.cuda.is_available():
        pytest.skip("no CUDA GPU")
    x, y = next(iter(DataLoader(_ds(), batch_size=4, device="cuda")))
    assert x.is_cuda and y.is_cuda


def test_digits_and_breast_cancer():
    pytest.importorskip("sklearn")
    images, labels = datasets.load_digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == mg.float32
    assert labels.dtype == mg.int64 and sorted(set(labels.tolist())) == list(range(10))
    assert 0 <= images.numpy().min() and images.numpy().max() == 1
    x, y = datasets.load_breast_cancer()
    assert x.shape == (569, 30) and y.shape == (569,) and set(y.tolist()) == {0.0, 1.0}
    xtr, xte, _, yte = datasets.train_test_split(x, y, test_size=0.25, seed=1)
    assert len(xtr) + len(xte) == 569 and len(yte) == len(xte) == 142


def test_missing_sklearn_message(monkeypatch):
    import builtins
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r"needs scikit-learn.*pip install"):
        datasets.load_digits()
