"""torch.compile, torch.cond and torch.while_loop, eagerly.

minigrad runs every op as it is called, so compile returns its argument unchanged and cond /
while_loop run the branch or loop body in Python. torch's argument checks are kept; the
gradient flows through the branch that ran (and through every iteration of the loop), as
in torch. Unlike a compiled torch.cond, the branch not taken is never run, so its outputs
are not checked against the other branch's.
"""
from __future__ import annotations

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
_BACKENDS = ("inductor", "eager", "aot_eager", "aot_eager_decomp_partition", "cudagraphs",
             "onnxrt", "openxla", "tvm")


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend=None, mode=None,
            options=None, name=None, disable: bool = False, recompile_limit=None,
            isolate_recompiles: bool = False, shapes_spec=None):
    """Returns `model` unchanged (a decorator when model is None): minigrad runs eagerly and
    has no compiler, so the keyword arguments of torch.compile are checked, then ignored.
    Accepts torch.compile's arguments."""
    if model is None:
        def fn(model):
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return fn
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise RuntimeError(f"Invalid backend: '{backend}', see "
                           "`torch._dynamo.list_backends()` for available backends.")
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"compile(): options must be a dict, not {type(options).__name__}")
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is "
                             "provided.")
    return model


def _leaves(tree):
    """The leaves of nested tuples, lists and dicts (torch's pytree)."""
    if isinstance(tree, (tuple, list)):
        return [leaf for t in tree for leaf in _leaves(t)]
    if isinstance(tree, dict):
        return [leaf for t in tree.values() for leaf in _leaves(t)]
    return [tree]


def cond(pred, true_fn, false_fn, operands=()):
    """true_fn(*operands) if pred else false_fn(*operands); pred is a Python bool/number or a
    one-element tensor, operands nested tuples/lists/dicts of tensors. Only the branch taken
    runs, and gradients flow through it. Matches torch.cond in eager mode."""
    from .tensor import Tensor      # lazy: tensor.py imports the ops this package builds on
    if isinstance(pred, (bool, int, float)):    # torch: a constant picks a branch, unchecked
        return true_fn(*operands) if pred else false_fn(*operands)
    if not isinstance(pred, Tensor):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got "
                           f"{pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or any(
            not isinstance(t, Tensor) for t in _leaves(operands)):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple "
                           f"that only consists of tensor leaves, but got {operands}.")
    return true_fn(*operands) if bool(pred.item()) else false_fn(*operands)


def _check_pred(pred, Tensor):
    if isinstance(pred, bool) or (isinstance(pred, Tensor) and pred.ndim == 0
                                  and pred.dtype.kind == "b"):
        return bool(pred)
    raise RuntimeError(f"cond_fn must return a boolean scalar tensor or a boolean but got "
                       f"{pred}")


def _skeleton(tree):
    """tree with its leaves replaced by None: nested tuples/lists/dicts compare by structure."""
    if isinstance(tree, (tuple, list)):
        return (type(tree) is tuple, [_skeleton(t) for t in tree])
    if isinstance(tree, dict):
        return {k: _skeleton(v) for k, v in tree.items()}
    return None


def _check_body(out, carried, Tensor):
    """body_fn must give back what it was given: the same structure, shapes and dtypes."""
    if not isinstance(out, tuple):
        raise RuntimeError(f"while_loop: body_fn should return a tuple but got {type(out)}")
    if len(out) != len(carried):
        raise RuntimeError("while_loop: body_fn should return the same number of elements as "
                           f"carried_inputs, got {len(out)} vs {len(carried)}")
    if _skeleton(list(out)) != _skeleton(list(carried)):
        raise RuntimeError("while_loop: body_fn's outputs must nest like carried_inputs")
    for i, (o, c) in enumerate(zip(_leaves(out), _leaves(carried))):
        if isinstance(c, Tensor) and not (isinstance(o, Tensor) and o.shape == c.shape
                                          and o.dtype == c.dtype and o.device == c.device):
            got = (f"shape {tuple(o.shape)}, dtype {o.dtype}, device {o.device}"
                   if isinstance(o, Tensor) else type(o).__name__)
            raise RuntimeError(f"while_loop: body_fn's output leaf {i} must have the shape, "
                               f"dtype and device of carried input leaf {i} (shape "
                               f"{tuple(c.shape)}, dtype {c.dtype}, device {c.device}), got "
                               f"{got}")
        if not isinstance(c, Tensor) and (isinstance(o, Tensor) or not isinstance(o, int)):
            raise RuntimeError(f"while_loop: body_fn's output leaf {i} must be an int, as "
                               f"carried input leaf {i} is, got {type(o).__name__}")


def _clone(tree, Tensor):
    if isinstance(tree, (tuple, list)):
        return type(tree)(_clone(t, Tensor) for t in tree)
    if isinstance(tree, dict):
        return {k: _clone(v, Tensor) for k, v in tree.items()}
    return tree.clone() if isinstance(tree, Tensor) else tree


def while_loop(cond_fn, body_fn, carried_inputs):
    """Run carried = body_fn(*carried) while cond_fn(*carried) is a true boolean scalar and
    return the final carried values (clones when the body never ran); carried_inputs is a
    tuple/list of tensors and ints. Gradients flow through every iteration. Matches
    torch.while_loop in eager mode."""
    from .tensor import Tensor      # lazy: tensor.py imports the ops this package builds on
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    if any(not isinstance(t, (Tensor, int)) for t in _leaves(carried_inputs)):
        raise RuntimeError("Expect carried_inputs to be a tuple of possibly nested "
                           "dict/list/tuple that onlyconsists of tensor or int leaves, but "
                           f"got {carried_inputs}.")
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list but got "
                           f"{type(carried_inputs)}")
    carried = tuple(carried_inputs)
    if not _check_pred(cond_fn(*carried), Tensor):
        return _clone(carried, Tensor)
    while True:
        out = body_fn(*carried)
        _check_body(out, carried, Tensor)
        carried = out
        if not _check_pred(cond_fn(*carried), Tensor):
            return carried
