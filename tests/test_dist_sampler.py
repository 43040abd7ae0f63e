"""DistributedSampler against torch's index lists, DataLoader(sampler=...), and
SyncBatchNorm in one process against torch's (no process group: it is BatchNorm)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.data import DataLoader, DistributedSampler, TensorDataset

torch = pytest.importorskip("torch")
from torch.utils.data import DistributedSampler as TorchSampler  # noqa: E402


@pytest.mark.parametrize("n", [0, 1, 2, 7, 10, 33, 1000])
@pytest.mark.parametrize("replicas", [1, 2, 3, 8])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [True, False])
def test_index_lists_match_torch(n, replicas, shuffle, drop_last):
    seed = int(np.random.default_rng(n * 31 + replicas).integers(0, 2 ** 31))
    for epoch in (0, 1, 5):
        for rank in range(replicas):
            ours = DistributedSampler(range(n), replicas, rank, shuffle, seed, drop_last)
            ref = TorchSampler(range(n), replicas, rank, shuffle, seed, drop_last)
            ours.set_epoch(epoch)
            ref.set_epoch(epoch)
            assert list(ours) == list(ref)
            assert len(ours) == len(ref)


def test_large_and_negative_seeds_match_torch():
    for seed in (2 ** 32 + 5, 2 ** 40 + 1, -3):
        ours, ref = DistributedSampler(range(50), 2, 1, seed=seed), TorchSampler(range(50), 2, 1,
                                                                                  seed=seed)
        assert list(ours) == list(ref)


def test_sampler_errors_match_torch():
    for rank in (-1, 2):
        with pytest.raises(ValueError):
            TorchSampler(range(4), 2, rank)
        with pytest.raises(ValueError):
            DistributedSampler(range(4), 2, rank)


def test_dataloader_with_sampler_matches_torch():
    x = np.random.default_rng(0).standard_normal((23, 3))
    ds = TensorDataset(mg.tensor(x), mg.arange(23))
    tds = torch.utils.data.TensorDataset(torch.tensor(x), torch.arange(23))
    for rank in range(3):
        s, ts = DistributedSampler(ds, 3, rank, seed=4), TorchSampler(tds, 3, rank, seed=4)
        s.set_epoch(2)
        ts.set_epoch(2)
        ours = list(DataLoader(ds, batch_size=3, sampler=s))
        ref = list(torch.utils.data.DataLoader(tds, batch_size=3, sampler=ts))
        assert len(ours) == len(ref)
        for (a, b), (c, d) in zip(ours, ref):
            np.testing.assert_array_equal(a.data, c.numpy())
            np.testing.assert_array_equal(b.data, d.numpy())
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=s, shuffle=True)


@pytest.mark.parametrize("shape", [(6, 3), (6, 3, 5), (4, 3, 2, 3)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_sync_batchnorm_alone_matches_torch(shape, momentum):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 2 + 0.5
    g = rng.standard_normal(shape)
    ours = nn.SyncBatchNorm(3, momentum=momentum).double()
    ref = torch.nn.SyncBatchNorm(3, momentum=momentum).double()
    for _ in range(2):
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (ours(xm) * mg.tensor(g)).sum().backward()
        (ref(xt) * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for a, b in ((ours.weight.grad, ref.weight.grad), (ours.bias.grad, ref.bias.grad),
                 (ours.running_mean, ref.running_mean), (ours.running_var, ref.running_var)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    ours.eval()
    ref.eval()
    np.testing.assert_allclose(ours(mg.tensor(x)).data, ref(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError):
        ref(torch.ones(3))
    with pytest.raises(ValueError):
        ours(mg.ones(3))


def test_convert_sync_batchnorm_matches_torch():
    def build(nn_):
        return nn_.Sequential(nn_.Conv2d(1, 4, 3), nn_.BatchNorm2d(4, affine=False),
                              nn_.Sequential(nn_.Linear(2, 2), nn_.BatchNorm1d(2, momentum=None)))
    ours = build(nn)
    ours[2][1].eval()
    ref = torch.nn.SyncBatchNorm.convert_sync_batchnorm(build(torch.nn))
    weight = ours[2][1].weight
    conv = nn.SyncBatchNorm.convert_sync_batchnorm(ours)
    assert [type(m).__name__ for m in conv.modules()] == \
        [type(m).__name__ for m in ref.modules()]
    assert conv[2][1].weight is weight                      # shared, as torch's
    assert conv[2][1].momentum is None and conv[2][1].training is False
    assert conv[1].affine is False and conv[1].weight is None
    assert list(conv.state_dict()) == list(ref.state_dict())
