"""EmbeddingBag: sums, means or maxima of bags of embedding rows (torch.nn.EmbeddingBag)."""
from __future__ import annotations

from .. import creation
from ..autograd import no_grad
from ..ops.checks import need_int, need_optional_int, need_tensor
from ..ops.embedding_bag import embedding_bag
from . import init
from .module import Module
from .parameter import Parameter


class EmbeddingBag(Module):
    """A table of num_embeddings vectors of size embedding_dim, initialised N(0, 1) with the
    padding_idx row zeroed; forward(input, offsets=None, per_sample_weights=None) reduces
    bags of rows with F.embedding_bag (matches torch.nn.EmbeddingBag)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight=None, include_last_offset: bool = False,
                 padding_idx: int | None = None, device=None, dtype=None):
        super().__init__()
        num_embeddings = need_int("EmbeddingBag", num_embeddings, "num_embeddings", 1)
        embedding_dim = need_int("EmbeddingBag", embedding_dim, "embedding_dim", 2)
        padding_idx = need_optional_int("EmbeddingBag", padding_idx, "padding_idx", 10)
        if num_embeddings < 0 or embedding_dim < 0:
            raise RuntimeError(f"EmbeddingBag: num_embeddings and embedding_dim must be "
                               f"non-negative, got {num_embeddings} and {embedding_dim}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError(f"EmbeddingBag: padding_idx must be within num_embeddings "
                                     f"({num_embeddings}), got {padding_idx}")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.padding_idx = scale_grad_by_freq, padding_idx
        if _weight is None:
            self.weight = Parameter(creation.empty(num_embeddings, embedding_dim, dtype=dtype,
                                                   device=device))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(f"EmbeddingBag: shape of weight {tuple(_weight.shape)} "
                                     f"does not match ({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight)
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode="mean", sparse=False,
                        include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is `embeddings` (torch's from_pretrained)."""
        need_tensor("EmbeddingBag.from_pretrained", embeddings, "embeddings", 1)
        if not freeze and embeddings.dtype.kind != "f":
            raise RuntimeError(f"EmbeddingBag.from_pretrained: embeddings of dtype "
                               f"{embeddings.dtype} cannot require gradients (freeze=False)")
        if embeddings.ndim != 2:
            raise AssertionError(f"EmbeddingBag.from_pretrained: embeddings are expected to be "
                                 f"2-dimensional, got shape {tuple(embeddings.shape)}")
        rows, cols = embeddings.shape
        if embeddings.dtype.kind != "f":        # (torch: Parameter() refuses an integer dtype)
            raise RuntimeError(f"EmbeddingBag.from_pretrained: embeddings must have a floating "
                               f"point dtype, got {embeddings.dtype}")
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                  _weight=embeddings, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                             self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s
