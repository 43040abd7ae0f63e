"""einsum: forward with xp.einsum, backward as einsums of the gradient and the other operands.

The public function turns torch's equation (implicit or explicit output, '...', spaces) into
one explicit form with single letters, promotes the operands to one dtype and expands
size-1 dims that broadcast, so the Op sees operands whose letters agree in size. In backward,
an operand's gradient is einsum(g, other operands -> its letters); a letter of the operand
that appears nowhere else (summed out on its own) is broadcast back, and a letter repeated
within the operand (a diagonal, 'ii->i') is put back on the diagonal with an identity matrix.
"""
from __future__ import annotations

import string

from ..autocast_state import autocast_op, einsum_policy
from ..autograd import Op
from ..backend import array_module
from ..forward_ad import multilinear

_LETTERS = string.ascii_letters


class Einsum(Op):
    @staticmethod
    def forward(ctx, spec, *arrays):
        ins, out = spec
        ctx.spec = spec
        ctx.shapes = [a.shape for a in arrays]
        ctx.save_for_backward(*arrays)
        xp = array_module(arrays[0])
        eq = ",".join(ins) + "->" + out
        out = xp.asarray(xp.einsum(eq, *arrays, optimize=True))
        # einsum returns a view of its input for a pure permutation or diagonal ('ij->ji',
        # 'ii->i'); torch's result never shares memory with the inputs
        return out.copy() if out.base is not None else out

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors      # d(operand k) = einsum(g, the others -> k's letters)
        ins, out = ctx.spec
        grads = [None]
        for k, sub in enumerate(ins):
            if not ctx.needs_input_grad[k + 1]:
                grads.append(None)
                continue
            grads.append(_operand_grad(g, out, xs, ins, k, ctx.shapes[k]))
        return tuple(grads)

    jvp = multilinear           # product rule: one term per operand, it replaced by its tangent


def _operand_grad(g, out, xs, ins, k, shape):
    sub = ins[k]
    sizes = dict(zip(sub, shape))
    others = [(s, x) for j, (s, x) in enumerate(zip(ins, xs)) if j != k]
    known = set(out).union(*(set(s) for s, _ in others))
    uniq = "".join(dict.fromkeys(sub))          # letters of operand k, first occurrences
    kept = "".join(c for c in uniq if c in known)
    operands = [(out, g)] + others
    gk = einsum_explicit([s for s, _ in operands], kept, [x for _, x in operands])
    if kept != uniq:             # letters summed out by k alone: broadcast the gradient back
        gk = gk.reshape(tuple(sizes[c] if c in kept else 1 for c in uniq))
        gk = gk.expand(*(sizes[c] for c in uniq))
    if uniq == sub:
        return gk
    # repeated letters: gk over uniq -> full over sub, with eye(n) tying each repeat to its
    # first occurrence (fresh letters name the repeats)
    from ..creation import eye
    free = iter(c for c in _LETTERS if c not in sub and c not in out)
    full, eyes = [], []
    seen = set()
    for c in sub:
        if c in seen:
            f = next(free)
            full.append(f)
            eyes.append((c + f, eye(sizes[c], dtype=g.dtype, device=g.device)))
        else:
            seen.add(c)
            full.append(c)
    return einsum_explicit([uniq] + [s for s, _ in eyes], "".join(full),
                           [gk] + [e for _, e in eyes])


def einsum_explicit(ins, out, tensors):
    """einsum on an explicit single-letter spec with operands that agree in size."""
    return Einsum.apply((tuple(ins), out), *tensors)


def _parse(equation, tensors):
    """torch's equation -> (input subscripts, output subscript), '...' as fresh letters."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not "
                        f"{type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(tensors):
        which = "more" if len(tensors) > len(ins) else "fewer"
        raise RuntimeError(f"einsum(): {which} operands were provided than specified in the "
                           f"equation ({equation!r} has {len(ins)}, got {len(tensors)})")
    for part in ins + ([rhs] if arrow else []):
        bad = set(part.replace("...", "")) - set(_LETTERS)
        if bad or part.count("...") > 1 or "." in part.replace("...", ""):
            raise RuntimeError(f"einsum(): invalid subscript in {equation!r}: only letters "
                               f"a-z, A-Z and one '...' per operand are allowed")
    used = set(eq)
    fresh = [c for c in reversed(_LETTERS) if c not in used]
    n_ell = 0
    for part, t in zip(ins, tensors):
        named = len(part.replace("...", ""))
        if ("..." not in part and named != t.ndim) or named > t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) "
                               f"does not match the number of dimensions ({t.ndim}) for "
                               f"operand {ins.index(part)}"
                               + ("" if "..." in part else " and no ellipsis was given"))
        if "..." in part:
            n_ell = max(n_ell, t.ndim - named)
    ell = "".join(fresh[:n_ell][::-1])
    new_ins = [p.replace("...", ell[len(ell) - (t.ndim - len(p.replace("...", ""))):])
               for p, t in zip(ins, tensors)]
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if sum(c in p for p in new_ins) == 0:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   f"equation for any input operand")
        if len(set(out)) != len(out):
            raise RuntimeError(f"einsum(): output subscript appears more than once in the "
                               f"output of {equation!r}")
    else:
        counts = {}
        for p in new_ins:
            for c in p:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return new_ins, out


def _sublist(sub):
    out = []
    for v in sub:
        if v is Ellipsis:
            out.append("...")
        elif isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(_LETTERS):
            out.append(_LETTERS[v])
        else:
            raise RuntimeError(f"einsum(): subscript in subscript list is not within the valid "
                               f"range [0, {len(_LETTERS)}), got {v!r}")
    return "".join(out)


def _from_sublists(args):
    """(a, [0, 1], b, [1, 2], [0, 2]) -> ('ab,bc->ac', (a, b))."""
    tensors, subs = args[0::2], args[1::2]
    out = None
    if len(subs) < len(tensors):            # an odd count: the last item is the output
        tensors, out = tensors[:-1], tensors[-1]
    if len(subs) != len(tensors):
        raise RuntimeError("einsum(): the sublist form needs (operand, sublist) pairs")
    eq = ",".join(_sublist(s) for s in subs)
    return (eq + "->" + _sublist(out) if out is not None else eq), tensors


@autocast_op("einsum", einsum_policy)
def einsum(equation, *operands):
    """Sum of products over the letters of an Einstein-summation equation ('ij,jk->ik',
    'ii->i', '...ij,...jk'); operands as arguments or one list (torch.einsum)."""
    from ..tensor import Tensor  # lazy: tensor.py imports the ops package
    if isinstance(equation, Tensor):            # sublist form: einsum(a, [0, 1], b, [1, 2])
        equation, operands = _from_sublists((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operand {k} must be a Tensor, not {type(t).__name__}")
    ins, out = _parse(equation, operands)
    if len({t.dtype for t in operands}) > 1:
        # torch promotes only where einsum becomes a product without a sum ('i,j->ij') and
        # raises where it contracts: minigrad asks for one dtype everywhere
        raise RuntimeError(f"einsum(): expected all operands to have the same dtype, got "
                           f"{', '.join(str(t.dtype) for t in operands)}")
    ts = list(operands)
    sizes = {}
    for k, (sub, t) in enumerate(zip(ins, ts)):
        for c, n in zip(sub, t.shape):
            if c in sizes and sizes[c] != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes: "
                                   f"subscript {c} has size {sizes[c]} and {n} "
                                   f"(operand {k}) in {equation!r}")
            if c in sizes and sizes[c] != n and sizes[c] == 1 and sub.count(c) == 1:
                sizes[c] = n
            sizes.setdefault(c, n)
        for c in set(sub):
            dims = [n for cc, n in zip(sub, t.shape) if cc == c]
            if len(set(dims)) > 1:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but "
                                   f"the sizes don't match, {dims[0]} != {dims[1]}")
    # size-1 dims broadcast against the letter's size elsewhere
    ts = [t.expand(*(sizes[c] for c in sub)) if any(n != sizes[c] for c, n in zip(sub, t.shape))
          else t for sub, t in zip(ins, ts)]
    return einsum_explicit(ins, out, ts)
