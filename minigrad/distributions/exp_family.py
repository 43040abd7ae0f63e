"""ExponentialFamily: the base class of exponential-family distributions (as torch's, for
isinstance checks). Its members here give their entropy in closed form."""
from __future__ import annotations

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """p(x; theta) = exp(<t(x), theta> - F(theta) + k(x)); subclasses define entropy
    directly (torch's Bregman-divergence fallback is not provided)."""
