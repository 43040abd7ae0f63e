"""SyncBatchNorm: batch normalisation whose statistics cover the whole global batch, across
every rank of the process group (torch.nn.SyncBatchNorm).

With data parallelism each rank sees a slice of the batch. Plain BatchNorm would normalise
with the slice's mean and variance; SyncBatchNorm all-reduces them, so N ranks on slices
compute exactly what one process computes on the whole batch:

    forward    mean = all_reduce(sum x) / N_global,  var = all_reduce(sum (x - mean)^2) / N_global
               (two passes, as stable as the one-process formula), y = xhat * w + b
    backward   dx = rstd * (dxhat - mean_g(dxhat) - xhat * mean_g(dxhat * xhat)),
               dxhat = dy * w, where mean_g all-reduces the two sums over every rank's rows,
               because every rank's x moved every rank's statistics.
               dw = sum(dy * xhat) and db = sum(dy) stay local: DDP averages them later.

Outside training, or with one process, it is BatchNorm. Unlike torch, CPU tensors work (over
the MPI backend). Double backward through it is not supported (raises).
"""
from __future__ import annotations

from .. import distributed as dist
from ..autograd import Op, is_grad_enabled, wrap
from ..backend import array_module
from ..ops.checks import need_tensor
from ..ops.norm import _axes_to, _sum
from .module import Module
from .norm import _BatchNorm


def _all_reduce(a, group):
    dist.all_reduce(a, group=group)
    return a


class SyncNormalize(Op):
    @staticmethod
    def forward(ctx, x, w, b, eps, group):
        xp = array_module(x)
        c = x.shape[1]
        dims = (0,) + tuple(range(2, x.ndim))
        pshape = (1, c) + (1,) * (x.ndim - 2)
        head = xp.empty(c + 1, x.dtype)
        head[:c] = _sum(xp, dims, x).reshape(c)
        head[c] = x.size // c
        _all_reduce(head, group)
        count = head[c]
        mean = (head[:c] / count).reshape(pshape).astype(x.dtype, copy=False)
        xc = x - mean
        var = _all_reduce(_sum(xp, dims, xc, xc).reshape(c), group) / count
        var = var.astype(x.dtype, copy=False)
        rstd = (1.0 / xp.sqrt(var + eps)).reshape(pshape).astype(x.dtype, copy=False)
        xhat = xc * rstd
        ctx.xhat, ctx.rstd, ctx.dims, ctx.pshape, ctx.group = xhat, rstd, dims, pshape, group
        ctx.count, ctx.b_shape = count, None if b is None else b.shape
        ctx.save_for_backward(w)
        y = xhat if w is None else xhat * w.reshape(pshape)
        if b is not None:
            y = y + b.reshape(pshape)
        mean, count_out = mean.reshape(c), xp.asarray(count)
        ctx.mark_non_differentiable(mean, var, count_out)
        return y, mean, var, count_out

    @staticmethod
    def backward(ctx, g, _gmean, _gvar, _gcount):
        w, = ctx.saved_tensors
        if is_grad_enabled():
            raise NotImplementedError("SyncBatchNorm: double backward (create_graph=True) is "
                                      "not supported")
        g_, xhat, rstd, dims, pshape = g.data, ctx.xhat, ctx.rstd, ctx.dims, ctx.pshape
        xp = array_module(g_)
        c = pshape[1]
        gxhat = g_ if w is None else g_ * w.data.reshape(pshape)
        sums = xp.empty(2 * c, g_.dtype)
        sums[:c] = _sum(xp, dims, gxhat).reshape(c)
        sums[c:] = _sum(xp, dims, gxhat, xhat).reshape(c)
        _all_reduce(sums, ctx.group)             # every rank's rows moved the statistics
        mean_g = (sums[:c] / ctx.count).reshape(pshape)
        mean_gx = (sums[c:] / ctx.count).reshape(pshape)
        gx = wrap((rstd * (gxhat - mean_g - xhat * mean_gx)).astype(g_.dtype, copy=False))
        axes = _axes_to(g_.shape, pshape)
        gw = None if w is None else wrap(_sum(xp, axes, g_, xhat).reshape(w.shape))
        gb = None if ctx.b_shape is None else wrap(_sum(xp, axes, g_).reshape(ctx.b_shape))
        return gx, gw, gb, None, None


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over (N, C, *) input whose batch statistics are all-reduced across the
    process group in training (matches torch.nn.SyncBatchNorm)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")

    def forward(self, input):
        need_tensor("SyncBatchNorm", input, "input", 1)
        self._check_input_dim(input)
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        need_sync = (self.training and dist.is_initialized()
                     and dist.get_world_size(self.process_group) > 1)
        if not need_sync:
            return super().forward(input)
        if input.dtype.kind != "f":
            raise NotImplementedError(f"SyncBatchNorm: input must be a floating point tensor, "
                                      f"got {input.dtype}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.data += 1
            if self.momentum is None:     # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        y, mean, var, count = SyncNormalize.apply(input, self.weight, self.bias, self.eps,
                                                  self.process_group)
        n = float(count.item())
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(input.shape)} (all ranks together)")
        if self.track_running_stats:      # in place, as torch's buffers
            rm, rv = self.running_mean.data, self.running_var.data
            rm[...] = (1 - factor) * rm + factor * mean.data
            rv[...] = (1 - factor) * rv + factor * var.data * (n / (n - 1))
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """module with every BatchNorm*d replaced by a SyncBatchNorm that shares its
        parameters and buffers (torch.nn.SyncBatchNorm.convert_sync_batchnorm)."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group, bias=module._bias_flag)
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out

