"""nn.init: torch's in-place initialisers (uniform_, normal_, kaiming_uniform_, xavier_*, ...).

Each fills `tensor` in place under no_grad and returns it, as torch.nn.init does, through the
Tensor's own in-place methods (uniform_, normal_, fill_, zero_, copy_): so their checks apply
(an integer tensor refuses random fills, as torch's does), the write bumps the version
counter, and inside minigrad.func.vmap the fills follow its `randomness` setting. Random
numbers come from minigrad's generator (mg.manual_seed), so values differ from torch's for
the same seed; the distributions, bounds and algorithms are the same.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import backend
from ..autograd import wrap
from ..grad_mode import no_grad
from ..ops.arith import torch_name
from ..ops.compare import where


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a nonlinearity (matches torch.nn.init.calculate_gain)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel), as torch computes them."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {tuple(tensor.shape)})")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower() if isinstance(mode, str) else mode      # torch lower-cases it
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Fill with U(a, b) (matches torch.nn.init.uniform_)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Fill with N(mean, std^2) (matches torch.nn.init.normal_)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None):
    """Fill with N(mean, std^2) restricted to [a, b] (matches torch.nn.init.trunc_normal_).

    torch's two samplers: when [a, b] holds more than 30% of the normal's mass, normal draws
    outside it are redrawn; otherwise uniform proposals on [a, b] are accepted with
    probability pdf(x) / pdf(mode) (rejection sampling against the density's peak in [a, b]).
    """
    if std == 0:
        raise ZeroDivisionError("trunc_normal_: std must be nonzero (torch divides by it)")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    p = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    with no_grad():
        if p > 0.3:
            lo, hi = _in_dtype(a, tensor), _in_dtype(b, tensor)    # (torch's order)
            result = tensor.normal_(mean, std, generator=generator)
            while True:
                bad = (result < lo) | (result > hi)
                if not bool(bad.any()):
                    break
                redraw = result.new_empty(result.shape).normal_(mean, std, generator=generator)
                result.copy_(where(bad, redraw, result))
            return tensor
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_ratio(x):           # log(pdf(x) / pdf(mode)) <= 0 on [a, b]
            return ((x - mean) / std) ** 2 * -0.5 - log_peak

        def rejected(x):
            return x.new_empty(x.shape).uniform_(generator=generator).log() > log_ratio(x)

        tensor.uniform_(a, b, generator=generator)
        pending = rejected(tensor)
        while bool(pending.any()):
            candidates = tensor.new_empty(tensor.shape).uniform_(a, b, generator=generator)
            tensor.copy_(where(pending, candidates, tensor))
            pending = pending & rejected(candidates)
        return tensor


def _in_dtype(v, tensor):
    """v as tensor's dtype holds it (torch's new_tensor(v).item(): an integer dtype that
    cannot hold it is an overflow error)."""
    dt = tensor.dtype
    if dt.kind in "iu" and not np.iinfo(dt).min <= v <= np.iinfo(dt).max:
        raise RuntimeError(f"trunc_normal_: value {v} cannot be converted to type {dt} "
                           "without overflow")
    return float(np.asarray(v).astype(dt))


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def constant_(tensor, val: float):
    """Fill with `val` (matches torch.nn.init.constant_)."""
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor):
    """Fill with 0 (matches torch.nn.init.zeros_)."""
    with no_grad():
        return tensor.zero_()


def ones_(tensor):
    """Fill with 1 (matches torch.nn.init.ones_)."""
    with no_grad():
        return tensor.fill_(1.0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity (matches torch.nn.init.eye_)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    xp = backend.array_module(tensor.data)
    with no_grad():
        return tensor.copy_(wrap(xp.eye(*tensor.shape, dtype=tensor.dtype)))


def dirac_(tensor, groups: int = 1):
    """Fill a {3, 4, 5}-D conv weight with the Dirac delta: each group's first min(out, in)
    channels pass their input through unchanged (matches torch.nn.init.dirac_)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only tensors with 3, 4, or 5 dimensions are supported, got "
                         f"shape {tuple(tensor.shape)}")
    if tensor.shape[0] % groups != 0:
        raise ValueError(f"dirac_: dim 0 must be divisible by groups, got size "
                         f"{tensor.shape[0]} and groups={groups}")
    per_group = tensor.shape[0] // groups
    centre = tuple(s // 2 for s in tensor.shape[2:])
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(per_group, tensor.shape[1])):
                tensor[(g * per_group + d, d) + centre] = 1
    return tensor


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)) (torch's xavier_normal_)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None):
    """U(-b, b) with b = gain * sqrt(3 / fan) (matches torch.nn.init.kaiming_uniform_)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """N(0, std^2) with std = gain / sqrt(fan) (matches torch.nn.init.kaiming_normal_)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain: float = 1, generator=None):
    """A (semi-)orthogonal matrix, trailing dims flattened: Q of the QR factorisation of a
    standard normal (rows, cols) matrix, its columns' signs fixed by diag(R) so Q is
    uniform over the orthogonal group; times `gain` (matches torch.nn.init.orthogonal_)."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator).data
    if flat.dtype.itemsize < 4:         # torch's QR (geqrf) has no half-precision kernel
        raise NotImplementedError(f'orthogonal_: "geqrf_cpu" not implemented for '
                                  f"'{torch_name(tensor.dtype)}'")
    xp = backend.array_module(flat)
    m = flat.T if rows < cols else flat
    q, r = xp.linalg.qr(m)
    q = q * xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    with no_grad():
        tensor.copy_(wrap(xp.ascontiguousarray(q).reshape(tensor.shape)))
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity: float, std: float = 0.01, generator=None):
    """A 2-D tensor with N(0, std^2) entries and ceil(sparsity * rows) random zeros in every
    column (matches torch.nn.init.sparse_)."""
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    from ..creation import randperm     # lazy: creation builds on the whole Tensor class
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        for col in range(cols):
            tensor[randperm(rows, generator=generator)[:num_zeros], col] = 0
    return tensor


def _deprecated(new):
    """torch's old names without the underscore: the same function, with a FutureWarning."""
    old = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)
    deprecated_init.__name__ = old
    deprecated_init.__doc__ = f"Deprecated alias of nn.init.{new.__name__} (as in torch)."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)


def default_layer_init_(weight, bias=None):
    """torch's reset_parameters() for Linear and Conv: kaiming_uniform_(a=sqrt(5)) on the
    weight, and the bias uniform on +-1/sqrt(fan_in) (zeros when fan_in is 0)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
