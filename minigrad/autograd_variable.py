"""torch.autograd.Variable, the legacy wrapper: Variable(t, requires_grad=False) is a detached
alias of t (the same memory) with that requires_grad, Variable() an empty tensor, and every
Tensor is an instance of Variable, as in torch."""
from __future__ import annotations

import warnings


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from .tensor import Tensor
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Variable(data=None, requires_grad=False, volatile=None) -> Tensor."""

    def __new__(cls, data=None, requires_grad=False, volatile=None):
        from .tensor import Tensor
        if volatile is not None:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            from .creation import empty
            return empty(0).requires_grad_(bool(requires_grad))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if not isinstance(requires_grad, bool):
            raise TypeError("Variable(): argument 'requires_grad' must be bool, not "
                            f"{type(requires_grad).__name__}")
        return data.detach().requires_grad_(requires_grad)
