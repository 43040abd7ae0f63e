"""Activation checkpointing: trade compute for memory (torch.utils.checkpoint).

    y = checkpoint(f, x, use_reentrant=False)

runs f(x) but keeps none of the tensors f's ops save for backward, only x; backward runs
f again to get them back. With one checkpoint per layer of a deep net, a training step keeps
one tensor per layer instead of every intermediate, for about one more forward pass of work.
preserve_rng_state=True (the default) restores the random generator for the re-run, so
dropout draws the same masks and the gradients equal the un-checkpointed ones.

Two implementations, as torch has:
  use_reentrant=False  the graph is recorded and its saved tensors go through
                       saved_tensors_hooks (checkpoint_frame.py); works with mg.grad,
                       create_graph, keyword arguments, inputs that need no gradient.
  use_reentrant=True   one Function node (CheckpointFunction below): forward under no_grad,
                       backward re-runs f under enable_grad and calls backward() inside;
                       so no mg.grad (torch's error), and parameters get .grad only.
use_reentrant=None warns and means True, as torch 2.13 does.

On CUDA, CuPy's generator state cannot be read back, so preserve_rng_state runs the function
(and its recomputation) on a generator seeded from the global one (rng_state.fork): the
masks repeat exactly, but differ from those of the same code run without checkpoint.
"""
from __future__ import annotations

import contextlib
import sys
import threading
import warnings

from .. import rng_state
from ..autograd import Function, _tensor_cls
from ..backend import is_cuda_array
from ..engine import backward as _run_backward
from ..engine import run_backward as _engine_run_backward
from ..grad_mode import enable_grad, is_grad_enabled
from .checkpoint_frame import CheckpointError, Frame, default_metadata

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "noop_context_fn",
           "set_checkpoint_debug_enabled", "set_checkpoint_early_stop"]

_CHECKS = {"default": default_metadata, "none": None}
_debug_enabled = None
_early_stop_enabled = None


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Override checkpoint's `debug` flag inside the block (None: defer to the argument)."""
    global _debug_enabled
    prev, _debug_enabled = _debug_enabled, enabled
    try:
        yield
    finally:
        _debug_enabled = prev


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Override checkpoint's `early_stop` for checkpoints whose forward runs in the block."""
    global _early_stop_enabled
    prev, _early_stop_enabled = _early_stop_enabled, enable
    try:
        yield
    finally:
        _early_stop_enabled = prev


def detach_variable(inputs):
    """Each Tensor of the tuple detached, with its requires_grad kept (torch's helper)."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    Tensor = _tensor_cls()
    out = []
    for a in inputs:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad = a.requires_grad
            a = d
        out.append(a)
    return tuple(out)


def check_backward_validity(inputs):
    Tensor = _tensor_cls()
    if not any(a.requires_grad for a in inputs if isinstance(a, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def _rng(preserve, args):
    """(CPU state, CUDA seed or None) to replay in the recomputation; (None, None) if off."""
    if not preserve:
        return None, None
    Tensor = _tensor_cls()
    on_cuda = any(isinstance(a, Tensor) and is_cuda_array(a.data) for a in args)
    return rng_state.cpu_state(), (rng_state.cuda_seed() if on_cuda else None)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """function(*args, **kwargs), keeping only the inputs for backward, which re-runs it.
    preserve_rng_state=True (a keyword) replays the random generator for the re-run. Matches
    torch.utils.checkpoint.checkpoint (see the top of this file for the two variants)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    if not callable(function):
        raise TypeError(f"checkpoint(): function must be callable, not "
                        f"{type(function).__name__}")
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return _reentrant(function, preserve, args)
    debug = _debug_enabled if _debug_enabled is not None else debug
    if debug and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    if determinism_check not in _CHECKS:
        raise ValueError(f"determinism_check should be one of {list(_CHECKS)}, but got "
                         f"{determinism_check}")
    forward_ctx, recompute_ctx = context_fn()
    if not is_grad_enabled():
        return function(*args, **kwargs)
    early = _early_stop_enabled if _early_stop_enabled is not None else early_stop
    rng = _rng(preserve, args)
    frame = Frame(function, args, kwargs, rng, early, _CHECKS[determinism_check],
                  recompute_ctx, debug)
    with frame, forward_ctx, rng_state.cuda_seeded(rng[1]):
        out = function(*args, **kwargs)
    frame.finish()
    return out


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run `functions` (an nn.Sequential or a list of callables) on input in `segments`
    chunks, checkpointing every chunk but the last (torch.utils.checkpoint.
    checkpoint_sequential; preserve_rng_state is taken as a keyword)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn.container import Sequential       # lazy: nn is built on top of autograd
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    if type(segments) is not int:
        raise TypeError(f"checkpoint_sequential(): segments must be int, not "
                        f"{type(segments).__name__}")
    if segments == 0:
        raise ZeroDivisionError("checkpoint_sequential(): segments must not be 0")
    size = len(functions) // segments
    if size == 0 and segments > 1:
        raise ValueError(f"checkpoint_sequential(): {segments} segments for "
                         f"{len(functions)} functions (segments must be at most that)")

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)


# ---- use_reentrant=True ----------------------------------------------------------------
_TENSOR = object()      # marks where a Tensor output goes back among the non-Tensor ones
_structure = threading.local()     # the last reentrant forward's output structure


def _reentrant(function, preserve, args):
    outs = CheckpointFunction.apply(function, preserve, *args)
    kind, parts = _structure.last
    if kind is None:                        # the function returned one Tensor
        return outs
    it = iter(outs if isinstance(outs, tuple) else (outs,))
    return kind(next(it) if v is _TENSOR else v for v in parts)


class CheckpointFunction(Function):
    """The reentrant checkpoint: one node for the whole function."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        Tensor = _tensor_cls()
        check_backward_validity(args)
        ctx.run_function, ctx.rng = run_function, _rng(preserve_rng_state, args)
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[args[i] for i in ctx.tensor_indices])
        with rng_state.cuda_seeded(ctx.rng[1]):
            out = run_function(*args)
        if isinstance(out, Tensor):
            _structure.last = None, None
            return out
        if not isinstance(out, (tuple, list)):
            raise TypeError(f"checkpoint(use_reentrant=True): the function must return a "
                            f"Tensor or a tuple, got {type(out).__name__}")
        # minigrad's apply makes every output a Tensor: give back only the Tensors, and let
        # checkpoint() put the other outputs back in place (torch passes them through)
        _structure.last = type(out), [_TENSOR if isinstance(o, Tensor) else o for o in out]
        return tuple(o for o in out if isinstance(o, Tensor))

    @staticmethod
    def backward(ctx, *grads):
        if _inside_grad():
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() "
                "or passing an `inputs` parameter to .backward(). To resolve this error, you "
                "can either set use_reentrant=False, or call .backward() without passing the "
                "`inputs` argument.")
        Tensor = _tensor_cls()
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        cpu, cuda = ctx.rng
        with rng_state.fork(cpu, cuda) if cpu is not None else contextlib.nullcontext():
            detached = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outputs = [o for o in outputs if isinstance(o, Tensor)]
        with_grad = [(o, g) for o, g in zip(outputs, grads) if o.requires_grad]
        if not with_grad:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        _run_backward([o for o, _ in with_grad], [g for _, g in with_grad])
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None
                                          for a in detached)


def _inside_grad():
    """Whether the backward running this node was started by grad() (engine.run_backward
    called with `inputs`): the innermost run_backward frame on the stack says."""
    code = _engine_run_backward.__code__
    f = sys._getframe(1)
    while f is not None:
        if f.f_code is code:
            return f.f_locals.get("inputs") is not None
        f = f.f_back
    return False
