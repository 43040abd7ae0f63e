"""Rearrangements of channels and pixels: pixel_shuffle, pixel_unshuffle, channel_shuffle.

Each is one reshape, one permutation and one reshape (so gradients and double backward come
from those ops; the last reshape copies into torch's contiguous layout):

    pixel_shuffle    (*, C r^2, H, W) -> (*, C, r, r, H, W) -> (*, C, H, r, W, r) -> (*, C, Hr, Wr)
    pixel_unshuffle  the inverse: (*, C, Hr, Wr) -> (*, C r^2, H, W)
    channel_shuffle  (N, C, *) -> (N, g, C/g, *) -> (N, C/g, g, *) -> (N, C, *)
"""
from __future__ import annotations

from .checks import need_int, need_tensor


def _lead(fn, input):
    if input.ndim < 3:
        raise RuntimeError(f"{fn}: {fn} expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    return tuple(input.shape[:-3]), len(input.shape) - 3


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r); matches torch.nn.functional.pixel_shuffle."""
    need_tensor("pixel_shuffle", input, "input", 1)
    r = need_int("pixel_shuffle", upscale_factor, "upscale_factor", 2)
    lead, k = _lead("pixel_shuffle", input)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle: pixel_shuffle expects a positive upscale_factor, "
                           f"but got {r}")
    c, h, w = input.shape[-3:]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle: pixel_shuffle expects its input's 'channel' "
                           f"dimension to be divisible by the square of upscale_factor, but "
                           f"input.size(-3)={c} is not divisible by {r * r}")
    oc = c // (r * r)
    x = input.reshape(lead + (oc, r, r, h, w))
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(lead + (oc, h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W); matches torch.nn.functional.pixel_unshuffle."""
    need_tensor("pixel_unshuffle", input, "input", 1)
    r = need_int("pixel_unshuffle", downscale_factor, "downscale_factor", 2)
    lead, k = _lead("pixel_unshuffle", input)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle: pixel_unshuffle expects a positive "
                           f"downscale_factor, but got {r}")
    c, h, w = input.shape[-3:]
    for name, n, i in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(f"pixel_unshuffle: pixel_unshuffle expects {name} to be "
                               f"divisible by downscale_factor, but input.size({i})={n} is not "
                               f"divisible by {r}")
    if input.numel() == 0:      # torch returns such an input unchanged, in its own shape
        raise RuntimeError(f"pixel_unshuffle: an empty input (shape {list(input.shape)}) is not "
                           "supported: torch returns it with its shape unchanged instead of "
                           f"(*, {c * r * r}, {h // r}, {w // r}); minigrad refuses rather than "
                           "differ")
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Interleave the channels of `groups` groups: (N, C, *) -> (N, C, *) with channel
    g * (C / groups) + i moved to i * groups + g; matches torch.nn.functional.channel_shuffle."""
    need_tensor("channel_shuffle", input, "input", 1)
    g = need_int("channel_shuffle", groups, "groups", 2)
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle: channel_shuffle expects input with > 2 dims, but "
                           f"got input with sizes {list(input.shape)}")
    if g <= 0:
        raise RuntimeError(f"channel_shuffle: Number of groups to divide channels in must be "
                           f"positive. Value of groups:{g}")
    n, c, rest = input.shape[0], input.shape[1], tuple(input.shape[2:])
    if c % g:
        raise RuntimeError(f"channel_shuffle: Number of channels must be divisible by groups. "
                           f"Got {c} channels and {g} groups.")
    x = input.reshape((n, g, c // g) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)
