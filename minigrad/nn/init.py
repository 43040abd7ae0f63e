"""nn.init: torch's in-place initialisers (uniform_, normal_, kaiming_uniform_, xavier_*, ...).

Each fills `tensor` in place without recording a graph and returns it, like torch.nn.init.
Random numbers come from minigrad's generator (seeded by mg.manual_seed), so values differ
from torch's for the same seed; the distributions and bounds are the same.
"""
from __future__ import annotations

import math

from .. import backend, storage


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
            raise ValueError(f"calculate_gain: negative_slope {param} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {tuple(tensor.shape)})")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _rng(tensor):
    return backend.rng(backend.array_module(tensor.data))


def _fill(tensor, values):
    """Write `values` into tensor.data in place (replacing a read-only array), no graph."""
    xp = backend.array_module(tensor.data)
    if getattr(tensor.data.flags, "writeable", True):
        tensor.data[...] = values
        storage.bump(tensor.data)       # an in-place write, as torch's init functions
    else:
        tensor.data = xp.array(xp.broadcast_to(values, tensor.shape), dtype=tensor.dtype)
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0):
    """Fill with U(a, b) (matches torch.nn.init.uniform_)."""
    return _fill(tensor, _rng(tensor).uniform(a, b, tensor.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0):
    """Fill with N(mean, std^2) (matches torch.nn.init.normal_)."""
    return _fill(tensor, _rng(tensor).normal(mean, std, tensor.shape))


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0):
    """Fill with N(mean, std^2) restricted to [a, b] (matches torch.nn.init.trunc_normal_).

    Sampled by rejection: draws outside [a, b] are redrawn until none is left.
    """
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    xp, r = backend.array_module(tensor.data), _rng(tensor)
    values = r.normal(mean, std, tensor.shape)
    bad = (values < a) | (values > b)
    for _ in range(1000):
        n = int(bad.sum())
        if n == 0:
            break
        values[bad] = r.normal(mean, std, n)
        bad = (values < a) | (values > b)
    return _fill(tensor, xp.clip(values, a, b))


def constant_(tensor, val: float):
    """Fill with `val` (matches torch.nn.init.constant_)."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with 0 (matches torch.nn.init.zeros_)."""
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with 1 (matches torch.nn.init.ones_)."""
    return _fill(tensor, 1)


def eye_(tensor):
    """Fill a 2-D tensor with the identity (matches torch.nn.init.eye_)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    xp = backend.array_module(tensor.data)
    return _fill(tensor, xp.eye(*tensor.shape))


def xavier_uniform_(tensor, gain: float = 1.0):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain: float = 1.0):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)) (torch's xavier_normal_)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu"):
    """U(-b, b) with b = gain * sqrt(3 / fan) (matches torch.nn.init.kaiming_uniform_)."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """N(0, std^2) with std = gain / sqrt(fan) (matches torch.nn.init.kaiming_normal_)."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def default_layer_init_(weight, bias=None):
    """torch's reset_parameters() for Linear and Conv: kaiming_uniform_(a=sqrt(5)) on the
    weight, and the bias uniform on +-1/sqrt(fan_in) (zeros when fan_in is 0)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
