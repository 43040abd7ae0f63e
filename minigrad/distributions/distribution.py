"""Distribution: the base class of every distribution (matches torch.distributions.Distribution):
batch and event shapes, sample/rsample, argument and sample validation with torch's
messages, and torch's repr."""
from __future__ import annotations

import warnings

from ..grad_mode import no_grad
from . import constraints
from ..size import Size
from .utils import _is_tensor, lazy_property, size_str

__all__ = ["Distribution"]


def _as_shape(shape, who="sample_shape"):
    """A Size of ints from a tuple/list/Size (not a single int: torch.Size accepts none)."""
    try:
        out = Size(shape)
    except TypeError:
        raise TypeError(f"{who} must be a tuple of ints, got {type(shape).__name__}") from None
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in out):
        raise TypeError(f"{who} must be a tuple of ints, got {shape!r}")
    return out


def _fmt(t):
    """A parameter in the repr: a one-element tensor as torch's f-string writes it."""
    if t.numel() == 1:
        return format(t) if t.ndim == 0 else str(t)
    return size_str(t.size())


class Distribution:
    """Abstract base class of probability distributions: batch_shape (independent,
    non-identical draws), event_shape (one draw), validate_args (default: on, as torch)."""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument/sample validation on or off for every distribution created later
        without validate_args= (torch.distributions.Distribution.set_default_validate_args)."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = _as_shape(batch_shape, "batch_shape")
        self._event_shape = _as_shape(event_shape, "event_shape")
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set "
                              "`arg_constraints = {}` or initialize the distribution with "
                              "`validate_args=False` to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue        # cannot be checked
                if param not in self.__dict__ and \
                        isinstance(getattr(type(self), param), lazy_property):
                    continue        # lazily computed from another parameter
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A new distribution with the parameters expanded to batch_shape (no copy, no new
        validation)."""
        raise NotImplementedError

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def arg_constraints(self):
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """A sample_shape + batch_shape + event_shape draw, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """A reparameterised draw: differentiable w.r.t. the parameters."""
        raise NotImplementedError

    def sample_n(self, n: int):
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.",
                      FutureWarning, stacklevel=2)
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        """exp(entropy)."""
        return self.entropy().exp()

    def _extended_shape(self, sample_shape=()):
        """sample_shape + batch_shape + event_shape."""
        return _as_shape(sample_shape) + self._batch_shape + self._event_shape

    def _validate_sample(self, value):
        """Checks value's rightmost dims against the shapes and its values against the
        support, with torch's ValueErrors."""
        if not _is_tensor(value):
            raise ValueError("The value argument to log_prob must be a Tensor")
        start = value.dim() - len(self._event_shape)
        if tuple(value.shape[start:]) != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{size_str(value.shape)} vs {size_str(self._event_shape)}.")
        actual, expected = tuple(value.shape), self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{size_str(actual)} vs {size_str(expected)}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample "
                          "validation. Please initialize the distribution with "
                          "`validate_args=False` to turn off validation.", stacklevel=2)
            return
        if not bool(support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support ({support!r}) "
                             f"of the distribution {self!r}, but found invalid "
                             f"values:\n{value}")

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{p}: {_fmt(self.__dict__[p])}" for p in names)
        return f"{self.__class__.__name__}({args})"
