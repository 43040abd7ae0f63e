"""functional_call: run a Module with some parameters and buffers swapped for given tensors.

This is what makes a Module usable inside grad/jacrev/vmap: the parameters become ordinary
arguments of a function, functional_call(model, params, x). The given tensors are put into the
modules' _parameters/_buffers dicts in place of the originals (they need not be Parameters),
the module runs, and the originals are put back afterwards, also when the call raises.
Matches torch.func.functional_call (torch.nn.utils.stateless underneath).
"""
from __future__ import annotations

from collections.abc import Sequence

from ..autograd import _tensor_cls

_MISSING = object()


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """module(*args, **kwargs) with the named parameters/buffers of the dict (or of a list of
    dicts with distinct keys) in place of the module's own. tie_weights: a value given for
    one name of tied tensors is used for all of them. strict: the names must be exactly the
    module's parameters and buffers."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence) and \
            not isinstance(parameter_and_buffer_dicts, str):
        dicts = parameter_and_buffer_dicts
        if not all(isinstance(d, dict) for d in dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        counts = {}
        for d in dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        values = {k: v for d in dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple "
                         f"of dicts, but got {type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    swap_in = _untie(module, values) if tie_weights else values
    if strict:
        _check_keys(module, swap_in)      # after untying, as torch 2.13
    originals = {}
    try:
        originals = _swap_all(module, swap_in)
        return module(*args, **kwargs)
    finally:
        now = _swap_all(module, originals)
        # a module may have replaced a given tensor during the call: hand that back, as torch
        values.update({k: now[k] for k in values if k in now})


def _named_tensors(module):
    """Every parameter and buffer by name, tied ones under each of their names."""
    params, buffers = {}, {}
    for prefix, m in module.named_modules(remove_duplicate=False):   # shared modules too
        p = prefix + "." if prefix else ""
        params.update((p + n, t) for n, t in m._parameters.items() if t is not None)
        buffers.update((p + n, t) for n, t in m._buffers.items() if t is not None)
    params.update(buffers)
    return params


def _untie(module, values):
    """A value given for one name of a tensor registered under several names, for them all."""
    tied_names = {}
    for name, t in _named_tensors(module).items():
        tied_names.setdefault(id(t), set()).add(name)
    tied = {n: names for names in tied_names.values() if len(names) > 1 for n in names}
    given = [n for n in values if n in tied]
    for name in given:
        names = tied[name]
        if len(names.intersection(given)) > 1 and \
                len({id(values[n]) for n in names if n in values}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    out = dict(values)
    for name in given:
        for other in tied[name]:
            out[other] = values[name]
    return out


def _check_keys(module, values):
    valid = set(_named_tensors(module))
    missing, unexpected = sorted(valid - set(values)), sorted(set(values) - valid)
    msgs = []
    if unexpected:
        msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if msgs:
        raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t"
                           + "\n\t".join(msgs))


def _swap_all(module, named):
    """Put every named tensor in place; return what was there. All or nothing: if one swap
    fails, the ones done are undone before the error propagates."""
    done, memo = {}, {}
    try:
        for name, t in named.items():
            done[name] = _swap(module, name, t, memo)
    except Exception:
        for name, t in done.items():
            _swap(module, name, t, memo)
        raise
    return done


def _submodule(module, path, memo):
    if not path:
        return module
    if path in memo:
        return memo[path]
    prefix, dot, attr = path.rpartition(".")
    parent = _submodule(module, prefix, memo) if dot else module
    try:
        sub = getattr(parent, attr)
    except AttributeError as ex:
        raise AttributeError(f"{parent._get_name()} has no attribute `{attr}`") from ex
    from ..nn.module import Module       # lazy: nn imports much of minigrad
    if not isinstance(sub, Module):
        raise TypeError(f"{sub!r} is not an instance of torch.nn.Module")
    memo[path] = sub
    return sub


def _swap(module, name, t, memo):
    """Set module's tensor `name` (dotted) to t (_MISSING: remove it); return the old one."""
    Tensor = _tensor_cls()
    if t is not _MISSING and t is not None and not isinstance(t, Tensor):
        raise TypeError(f"{t} is not an instance of torch.Tensor")
    prefix, _, attr = name.rpartition(".")
    if attr == "":
        raise KeyError('tensor name must not be empty string ""')
    mod = _submodule(module, prefix, memo)
    for store in (mod._parameters, mod._buffers):
        if attr in store:
            old = store[attr]
            if t is _MISSING:
                del store[attr]
            else:
                store[attr] = t             # no Parameter check: this is what torch does too
            return old
    old = getattr(mod, attr, _MISSING)
    if old is not _MISSING and old is not None and not isinstance(old, Tensor):
        raise TypeError(f"attribute `{attr}`: {old} is not an instance of torch.Tensor")
    if t is not _MISSING:
        setattr(mod, attr, t)
    elif hasattr(mod, attr):
        delattr(mod, attr)
    return old
