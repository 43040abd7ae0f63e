"""Sampling from distributions given by tensors: bernoulli, multinomial, normal, poisson,
and the in-place fills bernoulli_ and exponential_ (torch's names, arguments and checks).

Every draw comes from minigrad.backend.rng(xp) (seeded by mg.manual_seed), or from the
`generator=` passed (a minigrad.Generator):

    bernoulli(p)            s = [u < p],            u ~ U[0, 1) per element
    multinomial(w, k)       with replacement: k draws of the inverse CDF of w / sum(w);
                            without: the k largest w_i / e_i, e_i ~ Exponential(1) (torch's
                            way: the order of the exponential race is a draw without
                            replacement, and a zero weight only wins once the others are out)
    normal(mean, std)       mean + std z,           z ~ N(0, 1), shapes broadcast
    poisson(rate)           k ~ Poisson(rate) per element

As in torch, a sample's derivative with respect to the distribution's parameters is zero:
the outputs of bernoulli(p), normal and poisson are in the graph, and their gradient
w.r.t. the parameters is zeros (reparameterised sampling is written by hand:
mean + std * randn_like(std)).
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Op
from ..backend import array_module, rng
from ..forward_ad import zeros_like
from ..generator import check_generator
from .arith import torch_name
from .checks import _is_tensor, need_bool, need_dtype, need_float, need_int, need_tensor

_P_RANGE = ("{}: the probabilities must lie in [0, 1] (torch: Expected p_in >= 0 && "
            "p_in <= 1 to be true, but got false.)")


class Sampled(Op):
    """apply(*parameters, sample): the sample, whose derivative w.r.t. each parameter is 0."""

    @staticmethod
    def forward(ctx, *args):
        ctx.shapes = [(a.shape, a.dtype) for a in args[:-1]]
        return args[-1]

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g.data)
        return (*[g._make(xp.zeros(s, d)) for s, d in ctx.shapes], None)

    jvp = zeros_like


class NoDerivative(Op):
    """bernoulli(input, p=float): in the graph of input, as torch's, with no derivative."""

    @staticmethod
    def forward(ctx, x, sample):
        return sample

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'bernoulli' with a float p is not implemented")


def _uniform(xp, shape, dtype, generator=None):
    """U[0, 1) in dtype (float32 for half precision: the generators lack it)."""
    dt = dtype if np.dtype(dtype).itemsize >= 4 and np.dtype(dtype).kind == "f" else np.float32
    return rng(xp, generator).random(shape, dtype=dt)


def _out(sample, params):
    """The sample as a tensor in the graph of the parameters that require grad."""
    t = params[0]._make(sample)
    live = [p for p in params if p.requires_grad]
    return Sampled.apply(*live, t) if live else t


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws: P(1) = input per element, or = p for every element of input's shape and
    dtype (torch.bernoulli)."""
    need_tensor("bernoulli", input, "input", 1)
    check_generator("bernoulli", generator)
    if backend.vmap_decides_draws():
        return _vmapped(lambda x: bernoulli(x, p, generator=generator), [input], "bernoulli")
    xp = array_module(input.data)
    if p is not None:
        p = _check_p("bernoulli", p)
        sample = (_uniform(xp, input.shape, input.dtype, generator) < p).astype(input.dtype)
        out = input._make(sample)
        return NoDerivative.apply(input, out) if input.requires_grad else out
    if input.dtype.kind != "f":
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    probs = input.data
    if not bool(((probs >= 0) & (probs <= 1)).all()):
        raise RuntimeError(_P_RANGE.format("bernoulli"))
    sample = (_uniform(xp, input.shape, input.dtype, generator) < probs).astype(input.dtype)
    return _out(sample, [input])


def bernoulli_(self, p=0.5, *, generator=None):
    """self filled with 0/1 draws, P(1) = p (a float, or a tensor broadcast to self)."""
    from .inplace import fill
    check_generator("bernoulli_", generator)
    xp = array_module(self.data)
    if _is_tensor(p):
        probs = p.data
        if not bool(((probs >= 0) & (probs <= 1)).all()):
            raise RuntimeError(_P_RANGE.format("bernoulli_"))
    else:
        probs = _check_p("bernoulli_", p)
    sample = _uniform(xp, self.shape, self.dtype, generator) < probs
    return fill(self, sample.astype(self.dtype), "bernoulli_")


def _check_p(fn, p):
    p = need_float(fn, p, "p")
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    return p


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the categories of each row of input (weights, not necessarily
    normalised): (num_samples,) for a 1-D input, (rows, num_samples) for 2-D; int64."""
    need_tensor("multinomial", input, "input", 1)
    num_samples = need_int("multinomial", num_samples, "num_samples", 2)
    need_bool("multinomial", replacement, "replacement", 3)
    check_generator("multinomial", generator)
    if input.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{torch_name(input.dtype)}")
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n_cat = input.shape[-1]
    if n_cat > 2 ** 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if backend.vmap_decides_draws():    # (physical rows: the batch dims fold into the rows)
        def rows(w):
            flat = multinomial(w.reshape(-1, n_cat), num_samples, replacement,
                               generator=generator)
            return flat.reshape(*w.shape[:-1], num_samples)
        return _vmapped(rows, [input], "multinomial")
    xp = array_module(input.data)
    w = input.data.reshape(-1, n_cat).astype(np.float64)
    if w.shape[0] == 0:
        return input._make(xp.zeros(input.shape[:-1] + (num_samples,), np.int64))
    if not bool((xp.isfinite(w) & (w >= 0)).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not bool((w.sum(1) > 0).all()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if replacement:
        cdf = xp.cumsum(w, 1)
        cdf /= cdf[:, -1:]
        u = _uniform(xp, (w.shape[0], num_samples), np.float64, generator)
        row = xp.arange(w.shape[0])[:, None]        # row r's cdf and draws shifted by r: one
        idx = xp.searchsorted((cdf + row).ravel(), (u + row).ravel(), side="right")   # search
        idx = xp.minimum(idx.reshape(u.shape) - row * n_cat, n_cat - 1)  # (cdf rounding)
    else:
        race = w / rng(xp, generator).exponential(1.0, w.shape)
        idx = xp.argsort(-race, axis=1, kind="stable")[:, :num_samples]
    return input._make(idx.reshape(input.shape[:-1] + (num_samples,)).astype(np.int64))


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Draws of N(mean, std): mean and std tensors or floats (broadcast together), or two
    floats and a size (torch.normal's four forms)."""
    check_generator("normal", generator)
    m_t, s_t = _is_tensor(mean), _is_tensor(std)
    if not m_t and not s_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected (Tensor mean, Tensor std), (Tensor "
                            "mean, float std), (float mean, Tensor std) or (float mean, float "
                            "std, tuple of ints size)")
        from ..creation import randn
        mean, std = need_float("normal", mean, "mean", 1), need_float("normal", std, "std", 2)
        _check_std(std)
        if dtype is not None and need_dtype("normal", dtype).kind != "f":
            raise NotImplementedError(f'normal: "normal_kernel_cpu" not implemented for '
                                      f"'{torch_name(need_dtype('normal', dtype))}'")
        z = randn(size, dtype=dtype, device=device, generator=generator)
        out = z._make(z.data * std + mean)
        return out.requires_grad_() if requires_grad else out
    if size is not None:
        raise TypeError("normal(): size is only accepted with a float mean and a float std")
    if backend.vmap_decides_draws():
        return _vmapped(lambda m, s: normal(m, s, generator=generator), [mean, std], "normal")
    params = [t for t in (mean, std) if _is_tensor(t)]
    for name, t in (("mean", mean), ("std", std)):
        if _is_tensor(t):
            need_tensor("normal", t, name)
            if t.dtype.kind != "f":
                raise NotImplementedError(f'normal: "normal_kernel_cpu" not implemented for '
                                          f"'{torch_name(t.dtype)}'")
    dt = np.result_type(*[t.dtype for t in params])
    if s_t:
        if not bool((std.data >= 0).all()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        std = _check_std(need_float("normal", std, "std", 2))
    md = mean.data if m_t else need_float("normal", mean, "mean", 1)
    sd = std.data if s_t else std
    xp = array_module(params[0].data)
    try:
        shape = np.broadcast_shapes(np.shape(md), np.shape(sd))
    except ValueError:
        a, b = np.shape(md), np.shape(sd)
        raise RuntimeError(f"normal: the shapes of mean {list(a)} and std {list(b)} do not "
                           "broadcast") from None
    z = rng(xp, generator).standard_normal(shape, dtype=dt if dt.itemsize >= 4 else np.float32)
    return _out((z * sd + md).astype(dt), params)


def _vmapped(fn, params, who):
    from ..func import batching_random
    return batching_random.with_params(fn, params, who)


def vmapped_fill(x, refill, who):
    """An in-place random fill of x inside vmap (Tensor.uniform_, normal_, ...)."""
    from ..func import batching_random
    return batching_random.fill_(x, refill, who)


def _check_std(std):
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return std


def poisson(input, generator=None):
    """Poisson counts with rates `input` (same shape and float dtype)."""
    need_tensor("poisson", input, "input", 1)
    check_generator("poisson", generator)
    if backend.vmap_decides_draws():
        return _vmapped(lambda x: poisson(x, generator), [input], "poisson")
    if input.dtype.kind != "f":
        raise NotImplementedError(f'"poisson_cpu" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    if not bool((input.data >= 0).all()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    xp = array_module(input.data)
    return _out(xp.asarray(rng(xp, generator).poisson(input.data)).astype(input.dtype),
                [input])


def exponential_(self, lambd=1.0, *, generator=None):
    """self filled with Exponential(lambd) draws (mean 1 / lambd)."""
    from .inplace import fill
    check_generator("exponential_", generator)
    lambd = need_float("exponential_", lambd, "lambd")
    if self.dtype.kind != "f":
        raise NotImplementedError(f'"exponential_cpu" not implemented for '
                                  f"'{torch_name(self.dtype)}'")
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    xp = array_module(self.data)
    draws = xp.asarray(rng(xp, generator).exponential(1.0 / lambd, self.shape))
    return fill(self, draws.astype(self.dtype), "exponential_")

