"""Embedding and F.embedding: a lookup table of rows indexed by integer ids."""
from __future__ import annotations

from .. import backend, creation
from ..autograd import no_grad
from ..ops.checks import (need_bool, need_float, need_int, need_optional_float,
                          need_optional_int, need_tensor)
from ..ops.grad_scale import ScaleGrad
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def _renorm_rows(weight, ids, max_norm, norm_type):
    """Rescale (in place, no graph) the looked-up rows whose norm exceeds max_norm."""
    xp = backend.array_module(weight.data)
    rows = xp.unique(ids)
    w = weight.data[rows]
    a = xp.abs(w)
    if w.shape[-1] == 0:
        norms = xp.zeros(w.shape[:-1], w.dtype)
    elif norm_type == float("inf"):         # torch's norm of order inf, -inf and 0
        norms = a.max(-1)
    elif norm_type == float("-inf"):
        norms = a.min(-1)
    elif norm_type == 0:
        norms = (a != 0).sum(-1).astype(w.dtype)
    else:
        norms = (a ** norm_type).sum(-1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    with no_grad():
        weight.data[rows] = w * scale[:, None].astype(w.dtype)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of weight (num_embeddings, dim) picked by the integer ids in input; output
    input.shape + (dim,) (matches torch.nn.functional.embedding). The padding_idx row gets
    no gradient; scale_grad_by_freq divides each row's gradient by its count in the batch.
    sparse=True is accepted but gradients are dense."""
    if not isinstance(input, Tensor) or input.dtype.kind not in "iu":
        kind = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"embedding: expected input of integer dtype (int64 or int32) as "
                           f"indices, but got {kind}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        got = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(f"embedding: 'weight' must be 2-D (num_embeddings, dim), got {got}")
    n = weight.shape[0]
    padding_idx = need_optional_int("embedding", padding_idx, "padding_idx", 3)
    max_norm = need_optional_float("embedding", max_norm, "max_norm", 4)
    norm_type = need_float("embedding", norm_type, "norm_type", 5)
    need_bool("embedding", scale_grad_by_freq, "scale_grad_by_freq", 6)
    need_bool("embedding", sparse, "sparse", 7)
    if padding_idx is not None and not -n <= padding_idx < n:
        raise ValueError(f"embedding: padding_idx must be within num_embeddings ({n}), got "
                         f"{padding_idx}")
    if input._batched or weight._batched:                 # inside vmap
        from ..func import batching_fns
        return batching_fns.embedding(input, weight, padding_idx, max_norm, norm_type,
                                      scale_grad_by_freq, sparse)
    ids = input.data
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n):
        raise IndexError(f"embedding: index out of range in self (ids span "
                         f"{int(ids.min())}..{int(ids.max())}, num_embeddings={n})")
    if max_norm is not None:
        _renorm_rows(weight, ids, max_norm, norm_type)
    out = weight[input]
    if padding_idx is None and not scale_grad_by_freq:
        return out
    xp = backend.array_module(ids)
    # scale the gradient but not the value: s * y + ((1 - s) * y).detach() equals y
    scale = xp.ones(ids.shape, out.dtype)
    if scale_grad_by_freq:
        counts = xp.bincount(ids.ravel(), minlength=n)
        scale = scale / counts[ids]
    if padding_idx is not None:
        p = padding_idx + n if padding_idx < 0 else padding_idx
        scale = xp.where(ids == p, 0, scale)
    return ScaleGrad.apply(out, scale[..., None].astype(out.dtype))   # (tangent unscaled)


class Embedding(Module):
    """A learnable table of num_embeddings vectors of size embedding_dim, initialised N(0, 1)
    with the padding_idx row zeroed (matches torch.nn.Embedding)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        num_embeddings = need_int("Embedding", num_embeddings, "num_embeddings", 1)
        embedding_dim = need_int("Embedding", embedding_dim, "embedding_dim", 2)
        padding_idx = need_optional_int("Embedding", padding_idx, "padding_idx", 3)
        if num_embeddings < 0 or embedding_dim < 0:
            raise RuntimeError(f"Embedding: num_embeddings and embedding_dim must be "
                               f"non-negative, got {num_embeddings} and {embedding_dim}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings "
                                 f"({num_embeddings}), got {padding_idx}")
            padding_idx = padding_idx % num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(creation.empty(num_embeddings, embedding_dim, dtype=dtype,
                                                   device=device), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight must have shape ({num_embeddings}, "
                                 f"{embedding_dim}), got {tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is `embeddings`, sharing its memory as torch's does
        (torch's from_pretrained)."""
        need_tensor("Embedding.from_pretrained", embeddings, "embeddings", 1)
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{tuple(embeddings.shape)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            s += ", sparse=True"
        return s
