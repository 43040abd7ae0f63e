"""The table python -m minigrad.crosscheck runs: one line per op and option set.

A case's function receives the library namespace `L` (minigrad or torch: `L.softmax`,
`L.F.cross_entropy`, `L.tensor`) followed by the inputs, so one lambda serves both sides.
Input specs: R normal, P positive, U in (0, 1), S rows of probabilities, I class indices,
B bool mask, K bool mask whose first column is True, Q distinct indices; `const(spec)` takes
an input out of the gradient check.
`fn(name, *inputs, **kwargs)` calls L.F.<name>; Spec-valued kwargs (weight=P(5)) become
tensors. A case whose F function minigrad lacks is reported as SKIP.
"""
from __future__ import annotations

import numpy as np


class Spec:
    """How to draw one random input: shape, a sampler, and whether it gets a gradient."""

    def __init__(self, shape, sample, grad=True):
        self.shape, self.sample, self.grad = shape, sample, grad

    def make(self, rng, dtype):
        a = np.asarray(self.sample(rng, self.shape))
        return a.astype(dtype) if a.dtype.kind == "f" else a

    def __repr__(self):
        return "(" + ",".join(map(str, self.shape)) + ("," if len(self.shape) == 1 else "") + ")"


def _probs(r, s, axis):
    e = np.exp(r.standard_normal(s))
    return e / e.sum(axis=axis, keepdims=True)


def R(*s, scale=1.0): return Spec(s, lambda r, s: scale * r.standard_normal(s))
def P(*s): return Spec(s, lambda r, s: r.uniform(0.5, 2.0, s))
def U(*s): return Spec(s, lambda r, s: r.uniform(0.05, 0.95, s))
def S(*s): return Spec(s, lambda r, s: _probs(r, s, 1 if len(s) > 1 else 0))
def I(high, *s): return Spec(s, lambda r, s: r.integers(0, high, s), grad=False)  # noqa: E743
def K(*s): return Spec(s, lambda r, s: (r.random(s) < 0.5) | (np.arange(s[-1]) == 0), False)
def B(*s): return Spec(s, lambda r, s: r.random(s) < 0.5, grad=False)
def Q(n, *s): return Spec(s, lambda r, s: r.random((n,) + s[1:]).argsort(0)[:s[0]], grad=False)
def const(spec): return Spec(spec.shape, spec.sample, grad=False)


class Case:
    """One row of the table: op name, options text, fn(L, *inputs, **kw), input specs."""

    def __init__(self, op, options, fn, inputs, specs=None, double=True, tol=1.0, needs=None):
        self.op, self.options, self.fn, self.inputs = op, options, fn, list(inputs)
        self.specs, self.double, self.tol, self.needs = specs or {}, double, tol, needs

    def missing(self):
        """The F.<name> this case needs but minigrad lacks, else ''."""
        import minigrad.nn.functional as mgF
        return "" if self.needs is None or hasattr(mgF, self.needs) else f"F.{self.needs}"

    def call(self, L, xs, extra, state):
        return self.fn(L, *xs, **{k: L.tensor(v) for k, v in extra.items()})


class MaskCase(Case):
    """A random op (dropout, drop_path): torch reuses the mask minigrad drew, so the rest of
    the computation (scaling, gradient through the mask) is compared exactly."""

    def __init__(self, op, options, fn, inputs, scale):
        super().__init__(op, options, fn, inputs, needs=op)
        self.scale = scale

    def call(self, L, xs, extra, state):
        if "mask" not in state:                   # minigrad runs first and draws the mask
            out = self.fn(L, *xs)
            state["mask"] = (out.detach().numpy() != 0).astype(out.dtype)
            return out
        return xs[0] * L.tensor(state["mask"]) * self.scale


def op(name, options, f, *inputs, double=True, tol=1.0, needs=None):
    """A case calling f(L, *inputs) (operators, methods, top-level functions; needs: an F
    function the case uses, so that it is skipped while minigrad lacks it)."""
    return Case(name, options, f, inputs, double=double, tol=tol, needs=needs)


def fn(name, *inputs, double=True, tol=1.0, **kwargs):
    """A case calling L.F.<name>(*inputs, **kwargs); the options column shows the kwargs."""
    specs = {k: v for k, v in kwargs.items() if isinstance(v, Spec)}
    static = {k: v for k, v in kwargs.items() if not isinstance(v, Spec)}
    shapes = ",".join(repr(i) for i in inputs)
    options = ", ".join([shapes] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return Case(name, options, lambda L, *xs, **kw: getattr(L.F, name)(*xs, **static, **kw),
                inputs, specs, double, tol, needs=name)


CORE = [
    op("add", "(3,4)+(4,)", lambda L, a, b: a + b, R(3, 4), R(4)),
    op("add", "2.5+x", lambda L, a: 2.5 + a, R(3, 4)),
    op("sub", "(2,1,4)-(3,1)", lambda L, a, b: a - b, R(2, 1, 4), R(3, 1)),
    op("mul", "(3,4)*(3,1)", lambda L, a, b: a * b, R(3, 4), R(3, 1)),
    op("div", "(3,4)/(4,)", lambda L, a, b: a / b, R(3, 4), P(4)),
    op("div", "1.5/x", lambda L, a: 1.5 / a, P(3, 4)),
    op("pow", "x**3", lambda L, a: a ** 3, R(3, 4)),
    op("pow", "x**0.5", lambda L, a: a ** 0.5, P(3, 4)),
    op("pow", "x**y", lambda L, a, b: a ** b, P(3, 4), R(3, 4)),
    op("pow", "2**x", lambda L, a: 2 ** a, R(3, 4)),
    op("neg", "(3,4)", lambda L, a: -a, R(3, 4)),
    op("exp", "(3,4)", lambda L, a: L.exp(a), R(3, 4)),
    op("log", "(3,4)", lambda L, a: L.log(a), P(3, 4)),
    op("sqrt", "(3,4)", lambda L, a: L.sqrt(a), P(3, 4)),
    op("abs", "(3,4)", lambda L, a: L.abs(a), R(3, 4)),
    op("tanh", "(3,4)", lambda L, a: L.tanh(a), R(3, 4)),
    op("sigmoid", "(3,4)", lambda L, a: L.sigmoid(a), R(3, 4)),
    op("relu", "(3,4)", lambda L, a: L.relu(a), R(3, 4)),
    op("sin", "(3,4)", lambda L, a: L.sin(a), R(3, 4)),
    op("cos", "(3,4)", lambda L, a: L.cos(a), R(3, 4)),
    op("clamp", "min=-0.5, max=0.5", lambda L, a: L.clamp(a, min=-0.5, max=0.5), R(3, 4)),
    op("clamp", "min=0", lambda L, a: L.clamp(a, min=0.0), R(3, 4)),
    op("where", "bool mask", lambda L, c, a, b: L.where(c, a, b), B(3, 4), R(3, 4), R(4)),
    op("maximum", "(3,4),(4,)", lambda L, a, b: L.maximum(a, b), R(3, 4), R(4)),
    op("minimum", "(3,4),(3,4)", lambda L, a, b: L.minimum(a, b), R(3, 4), R(3, 4)),
    op("matmul", "(3,4)@(4,5)", lambda L, a, b: a @ b, R(3, 4), R(4, 5)),
    op("matmul", "(2,1,3,4)@(3,4,2)", lambda L, a, b: a @ b, R(2, 1, 3, 4), R(3, 4, 2)),
    op("matmul", "(4,)@(2,4,5)", lambda L, a, b: L.matmul(a, b), R(4), R(2, 4, 5)),
    op("matmul", "(3,4)@(4,)", lambda L, a, b: a @ b, R(3, 4), R(4)),
    op("matmul", "(4,)@(4,)", lambda L, a, b: a @ b, R(4), R(4)),
    op("sum", "all", lambda L, a: L.sum(a), R(2, 3, 4)),
    op("sum", "dim=(0,2), keepdim", lambda L, a: L.sum(a, dim=(0, 2), keepdim=True), R(2, 3, 4)),
    op("mean", "dim=1", lambda L, a: L.mean(a, dim=1), R(2, 3, 4)),
    op("mean", "all", lambda L, a: L.mean(a), R(2, 3, 4)),
    op("var", "dim=1", lambda L, a: L.var(a, dim=1), R(3, 5)),
    op("var", "correction=0", lambda L, a: L.var(a, dim=0, correction=0), R(3, 5)),
    op("std", "dim=1, keepdim", lambda L, a: L.std(a, dim=1, keepdim=True), R(3, 5)),
    op("std", "all", lambda L, a: L.std(a), R(3, 5)),
    op("amax", "dim=1", lambda L, a: L.amax(a, dim=1), R(3, 5)),
    op("amin", "dim=(0,1)", lambda L, a: L.amin(a, dim=(0, 1)), R(3, 5, 2)),
    op("max", "dim=1 (values, indices)", lambda L, a: L.max(a, dim=1), R(3, 5)),
    op("max", "all", lambda L, a: L.max(a), R(3, 5)),
    op("min", "dim=0, keepdim", lambda L, a: L.min(a, dim=0, keepdim=True), R(3, 5)),
    op("logsumexp", "dim=1", lambda L, a: L.logsumexp(a, dim=1), R(3, 5)),
    op("logsumexp", "dim=-1, keepdim, x1e3",
       lambda L, a: L.logsumexp(a, dim=-1, keepdim=True), R(3, 5, scale=1e3)),
    op("softmax", "dim=-1", lambda L, a: L.softmax(a, dim=-1), R(4, 7)),
    op("softmax", "dim=0 of 3-D", lambda L, a: L.softmax(a, dim=0), R(3, 2, 5)),
    op("softmax", "dim=1, logits x1e4", lambda L, a: L.softmax(a, dim=1), R(4, 6, scale=1e4)),
    op("log_softmax", "dim=-1", lambda L, a: L.log_softmax(a, dim=-1), R(4, 7)),
    op("log_softmax", "dim=1 of 3-D", lambda L, a: L.log_softmax(a, dim=1), R(3, 4, 2)),
    op("reshape", "(2,3,4)->(4,-1)", lambda L, a: a.reshape(4, -1), R(2, 3, 4)),
    op("permute", "(2,0,1)", lambda L, a: a.permute(2, 0, 1), R(2, 3, 4)),
    op("transpose", "(0,2)", lambda L, a: a.transpose(0, 2), R(2, 3, 4)),
    op("expand", "(3,1)->(2,3,4)", lambda L, a: a.expand(2, 3, 4), R(3, 1)),
    op("unsqueeze", "dim=1", lambda L, a: a.unsqueeze(1), R(3, 4)),
    op("squeeze", "dim=1", lambda L, a: a.squeeze(1), R(3, 1, 4)),
    op("flatten", "start_dim=1", lambda L, a: a.flatten(1), R(2, 3, 4)),
    op("cat", "dim=1", lambda L, a, b: L.cat([a, b], dim=1), R(2, 3), R(2, 4)),
    op("stack", "dim=0", lambda L, a, b: L.stack([a, b], dim=0), R(2, 3), R(2, 3)),
    op("getitem", "x[1:, ::2]", lambda L, a: a[1:, ::2], R(4, 5)),
    op("getitem", "x[idx] (repeats)", lambda L, a, i: a[i], R(4, 5), I(4, 6)),
    op("getitem", "x[mask]", lambda L, a, m: a[m], R(4, 5), B(4, 5)),
    op("gather", "dim=1", lambda L, a, i: L.gather(a, 1, i), R(4, 3), I(3, 4, 2)),
    op("scatter", "dim=0, src", lambda L, a, i, s: L.scatter(a, 0, i, s), R(3, 4), Q(3, 2, 4),
       R(2, 4)),
    op("scatter_add", "dim=0", lambda L, a, i, s: L.scatter_add(a, 0, i, s), R(3, 4),
       I(3, 5, 4), R(5, 4)),
    op("masked_fill", "value=0.5", lambda L, a, m: L.masked_fill(a, m, 0.5), R(3, 4), B(3, 4)),
]

ACTIVATIONS = [
    fn("linear", R(3, 4), R(5, 4), R(5)),
    fn("gelu", R(3, 4)),
    fn("gelu", R(3, 4), approximate="tanh"),
    fn("silu", R(3, 4)),
    fn("logsigmoid", R(3, 4)),
    fn("softplus", R(3, 4)),
    fn("softmax", R(3, 4), dim=0),
    fn("log_softmax", R(3, 4, 2), dim=1),
]


def _bn(train):
    def f(L, x, w, b, mean, var):
        return L.F.batch_norm(x, mean, var, w, b, training=train, momentum=0.3)
    return f


def _sdpa(**kw):
    return lambda L, q, k, v, m: L.F.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw)


LAYERS = [
    fn("conv2d", R(2, 3, 7, 6), R(4, 3, 3, 2), R(4)),
    fn("conv2d", R(2, 4, 9, 8), R(6, 2, 3, 3), R(6), stride=2, padding=1, dilation=2, groups=2),
    fn("conv2d", R(1, 2, 5, 5), R(3, 2, 2, 2), padding=(1, 0), stride=(1, 2)),
    fn("max_pool2d", R(2, 3, 6, 6), kernel_size=2),
    fn("max_pool2d", R(2, 3, 7, 6), kernel_size=3, stride=2, padding=1, ceil_mode=True),
    fn("avg_pool2d", R(2, 3, 6, 6), kernel_size=2),
    fn("avg_pool2d", R(2, 3, 7, 6), kernel_size=3, stride=2, padding=1,
       count_include_pad=False, ceil_mode=True),
    fn("adaptive_avg_pool2d", R(2, 3, 7, 5), output_size=(3, 2)),
    fn("embedding", I(10, 4, 3), R(10, 5)),
    fn("embedding", I(10, 4, 3), R(10, 5), padding_idx=0),
    op("layer_norm", "(3,4,5), normalized_shape=(5,), weight, bias",
       lambda L, x, w, b: L.F.layer_norm(x, (5,), w, b), R(3, 4, 5), R(5), R(5),
       needs="layer_norm"),
    fn("layer_norm", R(3, 4, 5), normalized_shape=(4, 5), eps=1e-3),
    op("batch_norm", "(4,3,5), training, running stats, weight, bias", _bn(True),
       R(4, 3, 5), R(3), R(3), const(R(3)), const(P(3)), needs="batch_norm"),
    op("batch_norm", "(4,3), eval, running stats, weight, bias", _bn(False),
       R(4, 3), R(3), R(3), const(R(3)), const(P(3)), needs="batch_norm"),
    fn("scaled_dot_product_attention", R(2, 3, 4), R(2, 5, 4), R(2, 5, 6)),
    fn("scaled_dot_product_attention", R(2, 3, 4), R(2, 5, 4), R(2, 5, 4), is_causal=True),
    op("scaled_dot_product_attention", "float attn_mask (a learnable bias), scale=0.3",
       _sdpa(scale=0.3), R(2, 3, 4), R(2, 5, 4), R(2, 5, 4), R(3, 5),
       needs="scaled_dot_product_attention"),
    # torch's CPU flash path has no second derivative for these two: first derivatives only
    op("scaled_dot_product_attention", "bool attn_mask", _sdpa(), R(2, 2, 3, 4),
       R(2, 2, 5, 4), R(2, 2, 5, 4), K(3, 5), needs="scaled_dot_product_attention",
       double=False),
    fn("scaled_dot_product_attention", R(2, 4, 3, 4), R(2, 2, 5, 4), R(2, 2, 5, 4),
       enable_gqa=True, double=False),
]


def _losses():
    r3 = ("mean", "sum", "none")
    cases = []
    cases += [c for red in r3 for c in (
        fn("cross_entropy", R(6, 5), I(5, 6), reduction=red),
        fn("cross_entropy", R(6, 5), I(5, 6), reduction=red, weight=P(5)),
        fn("cross_entropy", R(8, 5), I(5, 8), reduction=red, ignore_index=1),
        fn("cross_entropy", R(6, 5), I(5, 6), reduction=red, label_smoothing=0.1),
        fn("cross_entropy", R(8, 5), I(5, 8), reduction=red, weight=P(5), ignore_index=2,
           label_smoothing=0.2),
        fn("cross_entropy", R(2, 5, 3), I(5, 2, 3), reduction=red, weight=P(5)),
        fn("cross_entropy", R(6, 5), S(6, 5), reduction=red),
        fn("cross_entropy", R(6, 5), S(6, 5), reduction=red, weight=P(5), label_smoothing=0.1))]
    cases += [fn("cross_entropy", R(6, 5, scale=1e4), I(5, 6))]
    cases += [c for red in r3 for c in (
        fn("nll_loss", R(6, 5), I(5, 6), reduction=red),
        fn("nll_loss", R(8, 5), I(5, 8), reduction=red, weight=P(5), ignore_index=0),
        fn("nll_loss", R(2, 5, 3), I(5, 2, 3), reduction=red))]
    cases += [c for red in ("batchmean", "mean", "sum", "none") for c in (
        fn("kl_div", R(4, 5), S(4, 5), reduction=red),
        fn("kl_div", R(4, 5), R(4, 5), reduction=red, log_target=True))]
    cases += [c for red in r3 for c in (
        fn("binary_cross_entropy", U(4, 5), const(U(4, 5)), reduction=red),
        fn("binary_cross_entropy", U(4, 5), const(U(4, 5)), reduction=red, weight=P(4, 5)))]
    cases += [c for red in r3 for c in (
        fn("binary_cross_entropy_with_logits", R(4, 5), U(4, 5), reduction=red),
        fn("binary_cross_entropy_with_logits", R(4, 5), U(4, 5), reduction=red, weight=P(5),
           pos_weight=P(5)))]
    cases += [fn("binary_cross_entropy_with_logits", R(4, 5, scale=1e4), U(4, 5))]
    cases += [fn("mse_loss", R(4, 5), R(4, 5), reduction=red) for red in r3]
    cases += [fn("l1_loss", R(4, 5), R(4, 5), reduction=red) for red in r3]
    cases += [fn("smooth_l1_loss", R(4, 5), R(4, 5), reduction=red, beta=b)
              for red in r3 for b in (0.5, 1.0)]
    cases += [
        fn("dropout", R(3, 4), p=0.3, training=False),
        fn("dropout", R(3, 4), p=0.0),
        MaskCase("dropout", "(3,4), p=0.3 (mask shared)",
                 lambda L, x: L.F.dropout(x, p=0.3), [R(3, 4)], 1 / 0.7),
        MaskCase("drop_path", "(4,3,2), drop_prob=0.5 (mask shared)",
                 lambda L, x: L.F.drop_path(x, 0.5, training=True), [R(4, 3, 2)], 2.0),
    ]
    return cases


def _rebased(L, a, b):
    """In-place ops on a non-leaf and through views: torch rebases the history."""
    x = a * 1.5
    x.mul_(b)
    x += b
    x[0] = b[1]
    x.t()[1:, :2].clamp_(-0.5, 0.5)
    x[:, 1].exp_()          # last: exp_ saves its result, which any later write would change
    return x


# torch's type promotion: a case casts inside, so the float inputs keep the run's dtype; a case
# computed in float32 gets float32-sized tolerances (tol=1e3) even in a float64 run
PROMOTION = [
    op("add", "float32 + 0-d float64 -> float32", lambda L, a, b: a.float() + b, R(3, 4), R(),
       tol=1e3),
    op("add", "float32 + np.float64 scalar -> float32",
       lambda L, a: a.float() + np.float64(0.1), R(3, 4), tol=1e3),
    op("sub", "float64 - float32 (4,)", lambda L, a, b: a - b.float(), R(3, 4), R(4), tol=1e3),
    op("mul", "int64 * 0.5 -> float32", lambda L, a: (a * 10).long() * 0.5, R(3, 4)),
    op("mul", "bool * 1.5 -> float32", lambda L, a: (a > 0) * 1.5, R(3, 4)),
    op("add", "bool + 3 -> int64", lambda L, a: (a > 0) + 3, R(3, 4)),
    op("add", "int32 + 0-d int64 -> int32", lambda L, a, b: (a * 10).int() + (b * 10).long(),
       R(3, 4), R()),
    op("div", "int64 / int64 -> float32",
       lambda L, a, b: (a * 10).long() / ((b.abs() * 10).long() + 1), R(3, 4), R(3, 4)),
    op("div", "float32 / int64 (4,)", lambda L, a, b: a.float() / ((b * 10).long() + 20),
       R(3, 4), R(4), tol=1e3),
    op("where", "float32 and float64 branches", lambda L, c, a, b: L.where(c, a.float(), b),
       B(3, 4), R(3, 4), R(4), tol=1e3),
    op("where", "float64 branch and scalar", lambda L, c, a: L.where(c, a, 2.0), B(3, 4),
       R(3, 4)),
    op("maximum", "float32 vs 0-d float64", lambda L, a, b: L.maximum(a.float(), b), R(3, 4),
       R(), tol=1e3),
    op("lt", "float32 < 0-d float64 -> bool", lambda L, a, b: a.float() < b, R(3, 4), R()),
    op("clamp", "tensor min and max", lambda L, a, b: L.clamp(a, min=b, max=b + 1), R(3, 4),
       R(4)),
    op("masked_fill", "0-d tensor value", lambda L, a, m, v: L.masked_fill(a, m, v), R(3, 4),
       B(3, 4), R()),
    op("add_", "x.mul_, +=, x[i] = .., through views (non-leaf)", _rebased, R(3, 4), R(3, 4)),
]

# 0-d, empty and non-contiguous inputs
EDGE_SHAPES = [
    op("exp", "0-d", lambda L, a: L.exp(a), R()),
    op("exp", "(3,0,2)", lambda L, a: L.exp(a), R(3, 0, 2)),
    op("mul", "0-d * (3,0,2)", lambda L, a, b: a * b, R(), R(3, 0, 2)),
    op("mul", "non-contiguous: x.t()[::2] * y[1::2]", lambda L, a, b: a.t()[::2] * b[1::2],
       R(4, 6), R(6, 4)),
    op("softmax", "0-d, dim=0", lambda L, a: L.softmax(a, dim=0), R()),
    op("softmax", "(0,10), dim=1", lambda L, a: L.softmax(a, dim=1), R(0, 10)),
    op("log_softmax", "non-contiguous x.t(), dim=-1", lambda L, a: L.log_softmax(a.t(), -1),
       R(5, 3)),
    op("sum", "(0,5), dim=0", lambda L, a: L.sum(a, dim=0), R(0, 5)),
    op("sum", "0-d, dim=0", lambda L, a: L.sum(a, dim=0), R()),
    op("mean", "(0,5), dim=0 (nan)", lambda L, a: L.mean(a, dim=0), R(0, 5)),
    op("matmul", "(0,3)@(3,4)", lambda L, a, b: a @ b, R(0, 3), R(3, 4)),
    op("matmul", "(3,0)@(0,4) (zeros)", lambda L, a, b: a @ b, R(3, 0), R(0, 4)),
    op("getitem", "0-d x[()]", lambda L, a: a[()] * 2, R()),
    op("t", "1-D", lambda L, a: a.t() * 2, R(4)),
    op("cat", "(0,3) with (2,3)", lambda L, a, b: L.cat([a, b]), R(0, 3), R(2, 3)),
    op("reshape", "0-d -> (1,1)", lambda L, a: a.reshape(1, 1), R()),
    op("layer_norm", "(0,4)", lambda L, x: L.F.layer_norm(x, (4,)), R(0, 4), needs="layer_norm"),
    fn("cross_entropy", R(0, 5), I(5, 0), reduction="sum"),
]

CASES = CORE + ACTIVATIONS + LAYERS + _losses() + PROMOTION + EDGE_SHAPES

# The ops added for issue 15 (elementwise math, products, reductions, selection, shape ops).
from .crosscheck_cases_more import MORE_CASES  # noqa: E402  (they build on the helpers above)

CASES += MORE_CASES

# ---- issue 15: attn ----
from .crosscheck_cases_attn import CASES_attn  # noqa: E402
CASES += CASES_attn
# ---- issue 15: pool ----
from .crosscheck_cases_pool import CASES_pool  # noqa: E402
CASES += CASES_pool
# ---- issue 18: fused linear cross-entropy ----
from .crosscheck_cases_lce import CASES_LCE  # noqa: E402

CASES += CASES_LCE
# ---- issue 15: norm ----
from .crosscheck_cases_norm import CASES_norm  # noqa: E402
CASES += CASES_norm
# ---- issue 15: act ----
from .crosscheck_cases_act import CASES_act  # noqa: E402
CASES += CASES_act
# ---- issue 15: seq ----
from .crosscheck_cases_seq import CASES_seq  # noqa: E402

CASES += CASES_seq
# ---- issue 15: loss ----
from .crosscheck_cases_loss import CASES_loss  # noqa: E402
CASES += CASES_loss
# ---- issue 15: conv ----
from .crosscheck_cases_conv import CASES_conv  # noqa: E402

CASES += CASES_conv
# ---- issue 15: resample ----
from .crosscheck_cases_resample import CASES_resample  # noqa: E402

CASES += CASES_resample
# ---- vision: grid_sample / affine_grid / bilinear ----
from .crosscheck_cases_vision import CASES_vision  # noqa: E402

CASES += CASES_vision
# ---- special functions ----
from .crosscheck_cases_special import CASES_special  # noqa: E402

CASES += CASES_special
# ---- misc: binary special math, aliases, array utilities ----
from .crosscheck_cases_misc import CASES_misc  # noqa: E402

CASES += CASES_misc
