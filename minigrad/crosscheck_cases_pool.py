"""Crosscheck cases for issue 15's pooling: 1-3 D max/avg pooling, adaptive max/avg, max
unpooling and LP pooling (tiny shapes). Same table format and helpers as crosscheck_cases.py,
which appends CASES_pool to its CASES."""
from __future__ import annotations

from .crosscheck_cases import P, R, fn, op


def _unpool(L, x, d):
    v, i = getattr(L.F, f"max_pool{d}")(x, 2, return_indices=True)
    return getattr(L.F, f"max_unpool{d}")(v * v, i, 2, output_size=x.shape[2:])


CASES_pool = [
    fn("max_pool1d", R(2, 3, 7), kernel_size=3, stride=2, padding=1, ceil_mode=True),
    fn("max_pool1d", R(3, 8), kernel_size=2, dilation=2),
    fn("max_pool3d", R(1, 2, 4, 5, 4), kernel_size=2, stride=(1, 2, 2), padding=1),
    fn("avg_pool1d", R(2, 3, 7), kernel_size=3, stride=2, padding=1, ceil_mode=True,
       count_include_pad=False),
    fn("avg_pool3d", R(1, 2, 4, 5, 4), kernel_size=3, stride=2, padding=1, ceil_mode=True),
    fn("avg_pool3d", R(1, 2, 4, 4, 4), kernel_size=2, divisor_override=3),
    fn("adaptive_max_pool1d", R(2, 3, 7), output_size=3),
    fn("adaptive_max_pool2d", R(2, 3, 7, 5), output_size=(3, None)),
    fn("adaptive_max_pool3d", R(1, 2, 5, 4, 3), output_size=2),
    fn("adaptive_avg_pool1d", R(2, 3, 7), output_size=3),
    fn("adaptive_avg_pool3d", R(1, 2, 5, 4, 3), output_size=(2, 3, 2)),
    fn("lp_pool1d", P(2, 3, 7), norm_type=2.0, kernel_size=3, stride=2, ceil_mode=True),
    fn("lp_pool2d", P(2, 3, 6, 5), norm_type=3.0, kernel_size=2),
    fn("lp_pool3d", P(1, 2, 4, 4, 4), norm_type=1.5, kernel_size=2),
    op("max_unpool1d", "max_pool1d(x, 2) values squared, indices", lambda L, x: _unpool(L, x, "1d"),
       R(2, 3, 7), needs="max_unpool1d"),
    op("max_unpool2d", "max_pool2d(x, 2) values squared, indices", lambda L, x: _unpool(L, x, "2d"),
       R(2, 2, 5, 4), needs="max_unpool2d"),
    op("max_unpool3d", "max_pool3d(x, 2) values squared, indices", lambda L, x: _unpool(L, x, "3d"),
       R(1, 2, 4, 5, 4), needs="max_unpool3d"),
]
