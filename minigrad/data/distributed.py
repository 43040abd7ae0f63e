"""DistributedSampler: each rank's share of a data set's indices (torch's
torch.utils.data.DistributedSampler, index for index).

Every rank draws the same permutation (seeded with seed + epoch, so call set_epoch(e) at
the start of each epoch to reshuffle), pads it by repeating its head until it divides evenly
(or, with drop_last, cuts the tail), and keeps every num_replicas-th index starting at its
rank. The permutation is torch's randperm on a CPU generator: Mersenne Twister (MT19937)
seeded as torch seeds it, then the swap loop `swap(p[i], p[i + u32 % (n - i)])`, so the
index lists are exactly torch's for the same arguments.
"""
from __future__ import annotations

import math

import numpy as np

from .sampler import Sampler


def torch_randperm(n: int, seed: int) -> list:
    """torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()."""
    if n >= 2 ** 32 // 20:      # torch switches to 64-bit draws there
        raise NotImplementedError(f"DistributedSampler: data sets of {n} samples (over 2**32 "
                                  "/ 20) are not supported")
    mt = np.random.MT19937()
    mt.state = np.random.RandomState(seed & 0xFFFFFFFF).get_state(legacy=False)
    perm = list(range(n))
    if n < 2:
        return perm
    draws = mt.random_raw(n - 1).astype(np.uint64)
    offsets = (draws % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    for i, z in enumerate(offsets):
        j = i + z
        perm[i], perm[j] = perm[j], perm[i]
    return perm


class DistributedSampler(Sampler):
    """The indices of `dataset` this rank iterates over (matches
    torch.utils.data.DistributedSampler). num_replicas and rank default to the default
    process group's world size and rank."""

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False):
        if num_replicas is None or rank is None:
            from .. import distributed as dist
            if not dist.is_initialized():
                raise ValueError("DistributedSampler: num_replicas and rank default to the "
                                 "process group's, but it has not been initialized: call "
                                 "init_process_group or pass them")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        for name, v in (("num_replicas", num_replicas), ("rank", rank), ("seed", seed)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
                raise TypeError(f"DistributedSampler: {name} must be an int, got {v!r}")
        if num_replicas <= 0:
            raise ValueError(f"DistributedSampler: num_replicas must be positive, got "
                             f"{num_replicas}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, "
                             f"{num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.epoch, self.shuffle, self.seed, self.drop_last = 0, shuffle, int(seed), drop_last
        n = len(dataset)
        if drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self):
        n = len(self.dataset)
        indices = torch_randperm(n, self.seed + self.epoch) if self.shuffle else list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        assert len(indices) == self.total_size
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle: the permutation is seeded with seed + epoch."""
        self.epoch = epoch
