"""argnums: which positional arguments a transform differentiates, checked as torch.func does.

argnums is an int (one argument; its gradient comes back alone) or a non-empty tuple of
distinct ints (a tuple of gradients); negative values count from the end.
"""
from __future__ import annotations


def _wrap_one(argnum, num_args):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def normalize(argnums, num_args):
    """argnums checked against the number of positional arguments, negatives wrapped."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _wrap_one(argnums, num_args)
    wrapped = tuple(_wrap_one(a, num_args) for a in argnums)
    if len(wrapped) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return wrapped


def select(args, argnums, as_tuple=True):
    """The arguments argnums names: args[i] (or (args[i],) with as_tuple) for an int, a tuple
    for a tuple."""
    argnums = normalize(argnums, len(args))
    if isinstance(argnums, int):
        return (args[argnums],) if as_tuple else args[argnums]
    return tuple(args[i] for i in argnums)


def replace(args, new, argnums):
    """args with the selected ones replaced by `new` (shaped as select(..., as_tuple=False))."""
    argnums = normalize(argnums, len(args))
    out = list(args)
    if isinstance(argnums, int):
        out[argnums] = new
    else:
        for i, v in zip(argnums, new):
            out[i] = v
    return tuple(out)


def split_aux(output, has_aux, who):
    """(output, aux) of a transformed function: with has_aux it must return that pair."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{who}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return output


def scalar_output(output, has_aux, who):
    """(output, aux) of a function grad differentiates: its output must be a 0-d Tensor."""
    from ..autograd import _tensor_cls
    output, aux = split_aux(output, has_aux, who)
    if not isinstance(output, _tensor_cls()):
        raise RuntimeError(f"{who}: Expected f(*args) to return a Tensor, got {type(output)}")
    if output.dim() != 0:
        raise RuntimeError(f"{who}: Expected f(*args) to return a scalar Tensor, got tensor "
                           f"with {output.dim()} dims. Maybe you wanted to use the vjp or "
                           "jacrev APIs instead?")
    return output, aux
