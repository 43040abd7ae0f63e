"""AdaptiveLogSoftmaxWithLoss (Grave et al., "Efficient softmax approximation for GPUs"):
a head over the frequent classes plus one token per cluster, and a low-rank tail per cluster.

log p(y) = log p_head(y) for y in the shortlist, else
log p_head(cluster(y)) + log p_tail(y | cluster(y)); all of it composed from
differentiable ops, so gradients (and second derivatives) follow.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import creation
from ..ops.checks import need_float, need_int, need_tensor
from ..ops.shape import cat
from ..ops.softmax import log_softmax
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])
_NAME = "AdaptiveLogSoftmaxWithLoss"


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax with torch's layout: head Linear(in_features, cutoffs[0] + n_clusters)
    and tail[i] = Sequential(Linear(in, in // div_value**(i+1)), Linear(.., cluster size)),
    no biases except head_bias (matches torch.nn.AdaptiveLogSoftmaxWithLoss)."""

    def __init__(self, in_features: int, n_classes: int, cutoffs, div_value: float = 4.0,
                 head_bias: bool = False, device=None, dtype=None):
        super().__init__()
        in_features = need_int(_NAME, in_features, "in_features", 1)
        n_classes = need_int(_NAME, n_classes, "n_classes", 2)
        div_value = need_float(_NAME, div_value, "div_value", 4)
        if in_features < 0 or n_classes < 0:
            raise ValueError(f"{_NAME}: in_features and n_classes must be non-negative, got "
                             f"{in_features} and {n_classes}")
        try:
            cutoffs = list(cutoffs)
        except TypeError:
            raise TypeError(f"AdaptiveLogSoftmaxWithLoss: cutoffs must be a sequence of ints, "
                            f"got {type(cutoffs).__name__}") from None
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        try:
            bad = (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0
                   or max(cutoffs) > n_classes - 1 or len(set(cutoffs)) != len(cutoffs)
                   or any(int(c) != c for c in cutoffs))
        except TypeError:
            raise TypeError(f"AdaptiveLogSoftmaxWithLoss: cutoffs must be ints and n_classes "
                            f"an int, got cutoffs={cutoffs!r}, n_classes={n_classes!r}") from None
        if bad:
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device,
                           dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            if hsz < 0:
                raise ValueError(f"{_NAME}: div_value={div_value} gives cluster {i} the "
                                 f"negative hidden size {hsz}")
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(
                Linear(in_features, hsz, bias=False, device=device, dtype=dtype),
                Linear(hsz, osz, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        """(output, loss): each row's log-probability of its target, and the mean negative
        of those; a 1-D input with a 0-d target is one example."""
        need_tensor(_NAME, input_, "input", 1)
        need_tensor(_NAME, target_, "target", 2)
        if target_.ndim == 1:
            if input_.ndim == 0 or input_.shape[0] != target_.shape[0]:
                raise RuntimeError(f"{_NAME}: Input and target should have the same size in "
                                   "the batch dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"{_NAME}: 1D target tensor expects 2D input tensors, but "
                                   f"found inputs with size {tuple(input_.shape)}")
        elif target_.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"{_NAME}: 0D target tensor expects 1D input tensors, but "
                                   f"found inputs with size {tuple(input_.shape)}")
        else:
            raise RuntimeError(f"{_NAME}: 0D or 1D target tensor expected, multi-target not "
                               "supported")
        _need_features(self, input_)
        if target_.dtype.kind not in "iu":
            raise RuntimeError(f"{_NAME}: target must be an integer tensor "
                               f"(class indices), got {target_.dtype}")
        batched = target_.ndim > 0
        input = input_ if batched else input_.unsqueeze(0)
        tgt = target_.numpy(force=True).reshape(-1).astype(np.int64)
        gather = np.empty_like(tgt)
        output = creation.zeros(len(tgt), dtype=input.dtype, device=input.device)
        bounds = [0] + self.cutoffs
        used = 0
        for i in range(len(bounds) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            rows = np.flatnonzero((tgt >= lo) & (tgt < hi))
            if rows.size == 0:
                continue            # as torch: an unused cluster's tail is not run
            if i == 0:
                gather[rows] = tgt[rows]
            else:
                idx = creation.tensor(rows, device=input.device)
                logprob = log_softmax(self.tail[i - 1](input.index_select(0, idx)), 1)
                rel = creation.tensor(tgt[rows] - lo, device=input.device).unsqueeze(1)
                output = output.index_copy(0, idx, logprob.gather(1, rel).squeeze(1))
                gather[rows] = self.shortlist_size + i - 1
            used += rows.size
        if used != len(tgt):
            raise RuntimeError(f"{_NAME}: Target values should be in [0, {self.n_classes - 1}], "
                               f"but values in range [{tgt.min()}, {tgt.max()}] were found. ")
        head_logprob = log_softmax(self.head(input), 1)
        g = creation.tensor(gather, device=input.device).unsqueeze(1)
        output = output + head_logprob.gather(1, g).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input, head_output):
        head_logprob = log_softmax(head_output, 1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = log_softmax(self.tail[i](input), 1)
            parts.append(cluster_logprob
                         + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input):
        """Log-probabilities of all n_classes classes for (N, in_features) input."""
        need_tensor("AdaptiveLogSoftmaxWithLoss.log_prob", input, "input", 1)
        _need_2d("log_prob", input)
        _need_features(self, input)
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class per row, as log_prob(input).argmax(1) (matches torch's
        predict, which skips the tails for rows whose head argmax is in the shortlist)."""
        need_tensor("AdaptiveLogSoftmaxWithLoss.predict", input, "input", 1)
        _need_2d("predict", input)
        _need_features(self, input)
        head_output = self.head(input)
        output = head_output.argmax(1)
        not_in = output >= self.shortlist_size
        if not bool(not_in.any()):
            return output
        if bool(not_in.all()):
            return self._get_full_log_prob(input, head_output).argmax(1)
        log_prob = self._get_full_log_prob(input[not_in], head_output[not_in])
        output[not_in] = log_prob.argmax(1)
        return output


def _need_2d(what, input):
    if input.ndim != 2:     # torch fails inside (IndexError from dim=1, or a slicing error)
        raise IndexError(f"AdaptiveLogSoftmaxWithLoss.{what}: input must be 2-D "
                         f"(N, in_features), got shape {tuple(input.shape)}")


def _need_features(m, input):
    """The head's checks, named: last dim in_features, the parameters' dtype."""
    if input.ndim == 0 or input.shape[-1] != m.in_features:
        raise RuntimeError(f"{_NAME}: input must have in_features={m.in_features} features "
                           f"in its last dim, got shape {tuple(input.shape)}")
    if input.dtype != m.head.weight.dtype:
        raise RuntimeError(f"{_NAME}: expected input of the parameters' dtype "
                           f"{m.head.weight.dtype}, got {input.dtype} (mixed dtypes)")
