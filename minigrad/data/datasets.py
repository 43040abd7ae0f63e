"""Small real data sets that work offline: scikit-learn ships them inside its package.

    images, labels = load_digits()          # (1797, 1, 8, 8) float32 in [0, 1], int64 0..9
    features, targets = load_breast_cancer()  # (569, 30) float32, float32 0/1 (1 = benign)

scikit-learn is in minigrad's `examples` extra; without it these raise an ImportError that
says how to install it.
"""
from __future__ import annotations

import numpy as np

from .. import creation
from ..tensor import Tensor


def _sklearn_datasets(name):
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(f"minigrad.data.datasets.{name} needs scikit-learn, which ships this "
                          "data set: pip install scikit-learn (in minigrad's checkout: "
                          "pip install -e '.[examples]')") from None
    return datasets


def load_digits(device=None) -> tuple[Tensor, Tensor]:
    """The 1797 handwritten 8x8 digits: images (N, 1, 8, 8) scaled to [0, 1] and int64
    labels 0..9."""
    d = _sklearn_datasets("load_digits").load_digits()
    images = (d.images.astype(np.float32) / 16.0)[:, None]
    return (creation.tensor(images, device=device),
            creation.tensor(d.target.astype(np.int64), device=device))


def load_breast_cancer(device=None) -> tuple[Tensor, Tensor]:
    """The Wisconsin breast-cancer data: 569 samples of 30 float32 features and float32
    targets (1 = benign, 0 = malignant)."""
    d = _sklearn_datasets("load_breast_cancer").load_breast_cancer()
    return (creation.tensor(d.data.astype(np.float32), device=device),
            creation.tensor(d.target.astype(np.float32), device=device))


def train_test_split(*tensors, test_size: float = 0.2, seed: int = 0):
    """Shuffle rows with `seed` and split every tensor the same way: returns
    (a_train, a_test, b_train, b_test, ...) like sklearn's train_test_split."""
    n = tensors[0].shape[0]
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size}")
    perm = np.random.default_rng(seed).permutation(n)
    n_test = round(n * test_size)
    test, train = perm[:n_test], perm[n_test:]
    out = []
    for t in tensors:
        if t.shape[0] != n:
            raise ValueError(f"train_test_split: all tensors need {n} rows, got "
                             f"{t.shape[0]}")
        out += [t[train], t[test]]
    return tuple(out)
