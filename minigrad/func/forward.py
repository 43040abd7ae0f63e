"""Forward-mode transforms: jvp, jacfwd, hessian, linearize (torch.func's, on minigrad.forward_ad).

jvp runs f once on dual tensors (value, tangent) inside a forward_ad.dual_level: every op
pushes the tangent through its forward-derivative rule, so one pass gives J @ v, a column
of the Jacobian. jacfwd needs one column per input element: cheap when inputs are few and
outputs many (jacrev is the other way round); it vmaps over the basis, so f runs once on a
batch of all the tangents, as in torch. hessian is jacfwd(jacrev(f)): the gradient
computed by reverse mode is itself pushed forward (forward-over-reverse).

minigrad.forward_ad has a single dual level, as torch.autograd.forward_ad: a forward
transform inside another (jacfwd(jacfwd(f)), jvp inside jvp) raises NotImplementedError
instead of mixing the two levels' tangents. Reverse inside forward and forward inside
reverse both work. Inside vmap, jvp runs once on the plain layout of every sample's primals
and tangents (batching_transforms.py), so jacfwd, hessian and linearize are per sample too.
"""
from __future__ import annotations

import functools
import warnings

from .. import backend
from ..rng_state import get_rng_state, set_rng_state
from ..autograd import _tensor_cls, is_grad_enabled
from ..creation import zeros_like
from ..ops.shape import stack
from . import argnums as _argnums
from . import levels
from .batched import RawArrayOfBatched
from .batching_transforms import Layout
from .jacrev import jacrev
from .pytree import tree_flatten, tree_unflatten

_JVP = "jvp(f, primals, tangents)"


def _tensors_only(flat, what):
    Tensor = _tensor_cls()
    if not flat:
        raise RuntimeError(f"{_JVP}: Expected {what} to contain at least one Tensor.")
    for x in flat:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{_JVP}: Expected {what} to only contain Tensors, got "
                               f"{type(x)}")


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J @ tangents[, aux]): the Jacobian-vector product by forward mode;
    primals is a tuple (a pytree each), tangents has the same structure. With strict, an
    output that does not depend on the inputs raises. Matches torch.func.jvp."""
    return jvp_with_argnums(func, primals, tangents, None, strict=strict, has_aux=has_aux)


def jvp_with_argnums(func, primals, tangents, argnums, *, strict=False, has_aux=False):
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    diff = primals if argnums is None else _argnums.select(primals, argnums)
    flat_p, pspec = tree_flatten(diff)
    flat_t, tspec = tree_flatten(tangents)
    if pspec != tspec:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, "
                           "tangents also must be. Got primals with structure "
                           f"{pspec} and tangents with structure {tspec}")
    _tensors_only(flat_p, "primals")
    _tensors_only(flat_t, "tangents")
    fwd = levels.forward_ad()
    outer_grad = is_grad_enabled()
    lay = Layout()              # inside vmap: per sample (batching_transforms.py)
    for p, t in zip(flat_p, flat_t):
        lay.check_same_shape(p, t)
    # a level of its own, nested in any running one: jvp inside jvp or jacfwd(jacfwd(f))
    with levels.level() as lvl, fwd.dual_level(nested=True) as dual:
        duals = tree_unflatten([lay.wrap(fwd.make_dual(lay.plain(p), lay.plain(t), level=dual))
                                for p, t in zip(flat_p, flat_t)], pspec)
        args = duals if argnums is None else _argnums.replace(
            primals, duals[0] if isinstance(argnums, int) else duals, argnums)
        result = func(*args)
        result, aux = _argnums.split_aux(result, has_aux, _JVP)
        flat_r, rspec = tree_flatten(result)
        if (len(flat_r) == 1 and flat_r[0] is None) or not flat_r:
            raise RuntimeError(f"{_JVP}: Expected f to be a function that has non-empty "
                               f"output (got output = {flat_r})")
        lower = levels.Lowering(lvl, keep_graph=outer_grad)
        outs, tans = [], []
        for r in flat_r:
            if not isinstance(r, _tensor_cls()):
                raise RuntimeError(f"{_JVP}: expected f(*args) to return only tensors, got "
                                   f"unsupported type {type(r)}")
            primal, tangent = fwd.unpack_dual(lay.plain(r), level=dual)
            if tangent is None:
                if strict:
                    raise RuntimeError(f"{_JVP[:-1]}, strict=True): The output of f is "
                                       "independent of the inputs. This is not allowed with "
                                       "strict=True.")
                tangent = zeros_like(primal)
            outs.append(lay.wrap(lower(primal)))
            tans.append(lay.wrap(lower(tangent)))
        if has_aux:
            from .reverse import _lower_tree
            aux = _lower_tree(aux, lambda a: lay.wrap_lowered(a, lower), "")
    out = (tree_unflatten(outs, rspec), tree_unflatten(tans, rspec))
    return out + (aux,) if has_aux else out


class _Randomness:
    """jacfwd's randomness flag for its loop over basis vectors (torch vmaps them):
    'error' raises if f draws random numbers, 'same' replays the same draws for every basis
    vector, 'different' lets each draw its own. The CPU generator is the one watched."""

    def __init__(self, mode):
        if mode not in ("error", "different", "same"):
            raise RuntimeError("Only allowed values for randomness are 'error', 'different', "
                               f"or 'same'. Got {mode}")
        self.mode, self.start = mode, None

    @staticmethod
    def _state():
        rng = backend._cpu_rng
        return rng, rng.bit_generator.state

    def before(self, k):
        if self.mode == "error":
            self.start = self._state()
        elif self.mode == "same":
            if k == 0:
                self.start = self._state()
            else:
                backend._cpu_rng = self.start[0]
                backend._cpu_rng.bit_generator.state = self.start[1]

    def after(self):
        if self.mode == "error":
            rng, state = self._state()
            if rng is not self.start[0] or state != self.start[1]:
                raise RuntimeError("vmap: called random operation while in randomness error "
                                   "mode. Please either use the 'same' or 'different' "
                                   "randomness flags on vmap or perform the randomness "
                                   "operation out of vmap")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function computing the Jacobian of func w.r.t. args[argnums] by forward mode: the
    jvp with every basis vector e_k at once, as torch does it: vmap over the basis, so f runs
    once on inputs laid out for all n input elements (batching_transforms.py) and the tangent
    of each output holds its n columns. Block shapes are out.shape + input.shape, as
    jacrev's. randomness is that vmap's ('different': one jvp per column, each drawing its
    own). Matches torch.func.jacfwd."""
    @functools.wraps(func)
    def wrapper_fn(*args):
        if randomness not in ("error", "different", "same"):
            raise RuntimeError("Only allowed values for randomness are 'error', 'different', "
                               f"or 'same'. Got {randomness}")
        primals = args if argnums is None else _argnums.select(args, argnums)
        flat_p, pspec = tree_flatten(primals)
        _tensors_only(flat_p, "primals")
        numels = [p.numel() for p in flat_p]
        if sum(numels) == 0 or randomness == "different":
            return _jacfwd_columns(func, args, argnums, has_aux, randomness, flat_p, pspec,
                                   numels)

        def push(*basis):
            res = jvp_with_argnums(func, args, tree_unflatten(list(basis), pspec), argnums,
                                   has_aux=has_aux)
            return (res[1], res[2]) if has_aux else res[1]
        from .vmap import vmap
        rng = get_rng_state()
        try:
            res = vmap(push, randomness=randomness)(*_basis_batch(flat_p, numels))
        except RawArrayOfBatched as e:      # an op vmap cannot batch: column by column
            warnings.warn(f"jacfwd: {str(e).split('. That')[0]}: computing the Jacobian one "
                          "column at a time instead (correct, slower)", UserWarning,
                          stacklevel=2)
            set_rng_state(rng)              # (f may have drawn before it failed)
            return _jacfwd_columns(func, args, argnums, has_aux, randomness, flat_p, pspec,
                                   numels)
        tangents, aux = res if has_aux else (res, None)
        flat_t, ospec = tree_flatten(tangents)       # each: (n,) + out.shape
        per_out = [tree_unflatten(_blocks(t.movedim(0, -1), flat_p, numels), pspec)
                   for t in flat_t]
        if isinstance(argnums, int):
            per_out = [p[0] for p in per_out]
        jac = tree_unflatten(per_out, ospec)
        if has_aux:                 # the same for every basis vector: the first one's
            a_flat, a_spec = tree_flatten(aux)
            aux = tree_unflatten([a[0] for a in a_flat], a_spec)
            return jac, aux
        return jac
    return wrapper_fn


def _jacfwd_columns(func, args, argnums, has_aux, randomness, flat_p, pspec, numels):
    """jacfwd one column at a time: for no input elements (a vmap needs a sample), and for
    randomness='different' (each column's f draws its own random numbers)."""
    rand = _Randomness(randomness)
    cols, aux, ospec = [], None, None
    for k in range(max(sum(numels), 1)):
        rand.before(k)
        res = jvp_with_argnums(func, args, tree_unflatten(_basis(flat_p, numels, k), pspec),
                               argnums, has_aux=has_aux)
        rand.after()
        flat_t, ospec = tree_flatten(res[1])
        cols.append(flat_t)
        if has_aux and k == 0:
            aux = res[2]
    blocks = [_blocks(_columns(c[j] for c in cols), flat_p, numels)
              for j in range(len(cols[0]))]
    per_out = [tree_unflatten(b, pspec) for b in blocks]
    if isinstance(argnums, int):
        per_out = [p[0] for p in per_out]
    jac = tree_unflatten(per_out, ospec)
    return (jac, aux) if has_aux else jac


def _columns(cols):
    """Columns J e_k, each shaped like the output, as one tensor out.shape + (n,); with no
    input element (n = 0) the one zero column gives the shape."""
    cols = list(cols)
    return stack(cols, -1) if len(cols) > 1 else cols[0].unsqueeze(-1)


def _basis_batch(flat_p, numels):
    """Every basis tangent at once: for each input a tensor (n,) + its shape, row k of which
    is that input's part of e_k (n = all inputs' elements together)."""
    Tensor = _tensor_cls()
    total, out, start = sum(numels), [], 0
    for p, n in zip(flat_p, numels):
        a = _array(p)
        e = backend.array_module(a).zeros((total, n), a.dtype)
        e[start:start + n] = backend.array_module(a).eye(n, dtype=a.dtype)
        out.append(Tensor._make(e.reshape((total,) + tuple(p.shape))))
        start += n
    return out


def _basis(flat_p, numels, k):
    """Tangents that are all zero but a 1 at flat position k (counting across the inputs)."""
    Tensor = _tensor_cls()
    out = []
    for p, n in zip(flat_p, numels):
        a = _array(p)
        xp = backend.array_module(a)
        e = xp.zeros(n, a.dtype)
        if 0 <= k < n:
            e[k] = 1
        k -= n
        out.append(Tensor._make(e.reshape(p.shape)))
    return out


def _array(p):
    """p's array; inside vmap, the physical one of a batched p (only its type and dtype are
    read: the basis is the same for every sample)."""
    while p._batched:
        p = p._value
    return p.data


def _blocks(full, flat_p, numels):
    """The Jacobian out.shape + (n,) (column k: J e_k) split into one block per input,
    shaped out.shape + input.shape."""
    if sum(numels) == 0:
        return [zeros_like(full[..., :0]).reshape(tuple(full.shape[:-1]) + tuple(p.shape))
                for p in flat_p]
    out, start = [], 0
    for p, n in zip(flat_p, numels):
        block = full[..., start:start + n]
        out.append(block.reshape(tuple(full.shape[:-1]) + tuple(p.shape)))
        start += n
    return out


def hessian(func, argnums=0):
    """The Hessian of scalar func w.r.t. args[argnums]: jacfwd(jacrev(func)), forward mode
    over reverse mode, as torch.func.hessian."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func, *primals):
    """(func(*primals), jvp_fn) where jvp_fn(*tangents) gives J @ tangents at these primals.
    torch traces f once into a graph; minigrad has no tracer, so jvp_fn runs f again under
    forward mode at the saved primals (same values; f's Python side effects repeat).
    Matches torch.func.linearize's values and checks."""
    output = func(*primals)
    _, ospec = tree_flatten(output)
    flat_p, pspec = tree_flatten(primals)
    meta = [(p.shape, p.device, p.dtype) for p in flat_p]

    def jvp_fn(*tangents):
        flat_t, tspec = tree_flatten(tangents)
        if tspec != pspec:
            raise RuntimeError(f"Expected the tangents {tspec} to have the same argspec as "
                               f"the primals {pspec}")
        for i, (t, (shape, device, dtype)) in enumerate(zip(flat_t, meta)):
            for what, got, want in (("shape", t.shape, shape), ("device", t.device, device),
                                    ("dtype", t.dtype, dtype)):
                if got != want:
                    raise RuntimeError(f"tangent:{i} with {what} {got} in flattened pytree "
                                       f"doesn't match the {what} {want} of the "
                                       "corresponding primal.")
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn
