"""torch.Generator: a stream of random numbers of its own, passed as `generator=` to the random
ops (rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson, the in-place
fills, nn.init, random_split and DataLoader), so they draw from it instead of from the global
generator that mg.manual_seed seeds.

A Generator wraps a numpy.random.Generator (PCG64), as minigrad's global generator does;
`default_generator` is that global one (mg.manual_seed returns it, as torch.manual_seed
returns torch.default_generator). The numbers differ from torch's for the same seed (torch's
CPU generator is a Mersenne Twister); the API and the reproducibility are the same:
the same seed gives the same draws, get_state/set_state repeat them. Only CPU generators
exist so far: Generator(device='cuda') raises.
"""
from __future__ import annotations

import numpy as np

from . import backend

_DEFAULT_SEED = 67280421310721     # torch.Generator().initial_seed() before manual_seed


class Generator:
    """An independent random stream (matches torch.Generator, CPU only)."""

    def __init__(self, device="cpu"):
        dev = backend.Device(device) if not isinstance(device, backend.Device) else device
        if dev.type != "cpu":
            raise NotImplementedError(f"Generator(device={str(dev)!r}): minigrad has CPU "
                                      "generators only; CUDA random ops draw from the global "
                                      "generator (mg.manual_seed)")
        self._device = dev
        self._seed = _DEFAULT_SEED
        self._rng = np.random.default_rng(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed) -> "Generator":
        """Restart the stream from `seed` (an int in [-2**63, 2**64)); returns self."""
        if type(seed) is not int:       # (torch's Generator takes a Python int only)
            raise RuntimeError(f"Generator.manual_seed: the seed must be an int, got "
                               f"{type(seed).__name__}")
        self._seed = backend.check_seed(seed, "Generator.manual_seed")
        self._rng = np.random.default_rng(self._seed % 2**63)
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed."""
        self.manual_seed(_entropy_seed())
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The state as a uint8 Tensor (40 bytes: PCG64's state); set_state repeats the draws."""
        from .rng_state import pack
        return pack(self._rng.bit_generator.state)

    def set_state(self, new_state) -> "Generator":
        from .rng_state import unpack
        self._rng.bit_generator.state = unpack(new_state, "Generator.set_state")
        return self

    def __repr__(self):
        return f"<minigrad.Generator object at {id(self):#x}>"


class _DefaultGenerator(Generator):
    """The global generator: the one backend.rng draws from when no generator is passed."""

    def __init__(self):
        self._device = backend.Device("cpu")

    @property
    def _rng(self):
        return backend._cpu_rng

    def manual_seed(self, seed) -> "Generator":
        backend.manual_seed(seed)
        return self

    def initial_seed(self) -> int:
        return backend.initial_seed()

    def seed(self) -> int:
        return seed()

    def set_state(self, new_state) -> "Generator":
        from .rng_state import set_rng_state
        set_rng_state(new_state)
        return self


def check_generator(fn, generator):
    """generator= takes None (the global generator) or a minigrad.Generator."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"{fn}(): argument 'generator' must be a minigrad.Generator (torch: "
                        f"torch.Generator) or None, not {type(generator).__name__}")


default_generator = _DefaultGenerator()


def manual_seed(seed) -> Generator:
    """Seed the global generator (CPU and CUDA); returns it (torch.manual_seed)."""
    backend.manual_seed(seed)
    return default_generator


def initial_seed() -> int:
    """The global generator's seed (torch.initial_seed)."""
    return backend.initial_seed()


def seed() -> int:
    """Seed the global generator from the operating system's entropy; returns the seed
    (torch.seed)."""
    s = _entropy_seed()
    backend.manual_seed(s)
    return s


def _entropy_seed():
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
