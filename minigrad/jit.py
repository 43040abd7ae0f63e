"""minigrad.jit: the torch.jit names that model code uses while running eagerly
(is_scripting, is_tracing, annotate, ignore, unused, export, Final, script_if_tracing).
minigrad has no TorchScript: script, trace and load raise, rather than hand back a module
that lacks what a ScriptModule has (code, graph, save)."""
from __future__ import annotations

import functools
from typing import Final  # noqa: F401  (torch.jit.Final is typing.Final)

__all__ = ["Final", "annotate", "export", "ignore", "is_scripting", "is_tracing", "load",
           "script", "script_if_tracing", "trace", "unused"]


def is_scripting() -> bool:
    """False: minigrad code always runs eagerly (torch.jit.is_scripting)."""
    return False


def is_tracing() -> bool:
    """False: nothing is traced in minigrad (torch.jit.is_tracing)."""
    return False


def annotate(the_type, the_value):
    """the_value (torch.jit.annotate only informs the TorchScript compiler)."""
    return the_value


def _unchanged(fn=None, **kwargs):
    """A decorator that returns the function as it is (also when called with arguments)."""
    if fn is None:
        return lambda f: f
    if callable(fn):
        return fn
    return lambda f: f          # torch.jit.ignore(drop=...) positional


ignore = unused = export = _unchanged


def script_if_tracing(fn):
    """fn, run eagerly (torch.jit.script_if_tracing scripts only while tracing)."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        return fn(*args, **kwargs)
    return run


def _no_torchscript(name):
    def fail(*args, **kwargs):
        raise NotImplementedError(f"minigrad.jit.{name}: minigrad has no TorchScript; run the "
                                  "model eagerly (minigrad.compile returns it unchanged)")
    fail.__name__ = name
    return fail


script = _no_torchscript("script")
trace = _no_torchscript("trace")
load = _no_torchscript("load")
