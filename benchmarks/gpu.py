"""GPU benchmarks: minigrad's CUDA kernels side by side with torch, in one run.

Run on a CUDA machine: python benchmarks/gpu.py   (prints one table per section, then a summary)
Timing: CUDA events around each call, a 256 MiB L2 flush before each timed run, medians of
`REPEAT` runs after warm-up (docs/kernels.md, 'Measuring'), with the GPU kept busy ahead of
the start event so Python launch overhead is not counted (see time_ms). Each section is one
function; main() runs all.
"""
from __future__ import annotations

import functools
import statistics

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

REPEAT = 20
AHEAD_CYCLES = 1_000_000         # about 0.5 ms at the H100's 1.98 GHz


def _cupy():
    import cupy
    return cupy


_SPIN_SRC = r"""
extern "C" __global__ void spin(long long cycles) {
    const long long t0 = clock64();
    while (clock64() - t0 < cycles) { }
}"""


@functools.cache
def _spin_kernel():
    return _cupy().RawKernel(_SPIN_SRC, "spin")


def time_ms(fn, repeat=REPEAT, warmup=3, flush=True, ahead=AHEAD_CYCLES):
    """Median milliseconds of fn() on the GPU (CuPy and torch share the default stream).

    Before each timed call: a one-thread kernel spinning `ahead` clock cycles (about 0.5 ms),
    then the L2 flush, both queued; the host meanwhile records the start event and runs fn's
    Python, so the events time the GPU work and not the launch overhead (either library's).
    A host sync inside fn (minigrad's target check) still shows: the GPU drains there.
    ahead=0 gives the old method (flush only), where launch overhead longer than the flush
    is counted."""
    cp = _cupy()
    scratch = cp.empty(64 * 1024 * 1024, np.float32) if flush else None   # 256 MiB
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        if ahead:
            _spin_kernel()((1,), (1,), (np.int64(ahead),))
        if flush:
            scratch.fill(0)
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, end))
    return statistics.median(times)


# ============================================== reductions, softmax, cross-entropy
N_ELEMS = 1 << 26                 # 2^26 float32 = 256 MiB per tensor


def _torch():
    try:
        import torch
        return torch if torch.cuda.is_available() else None
    except ImportError:
        return None


def copy_bandwidth(nbytes=1 << 30) -> float:
    """GB/s of a device-to-device copy (read + write counted): the 100% line."""
    cp = _cupy()
    src = cp.ones(nbytes // 4, cp.float32)
    dst = cp.empty_like(src)
    ms = time_ms(lambda: cp.copyto(dst, src))
    return 2 * nbytes / ms / 1e6


def row(name, shape, ms, torch_ms, nbytes, copy_bw):
    gbs = nbytes / ms / 1e6
    return {"kernel": name, "shape": shape, "mg_ms": ms, "torch_ms": torch_ms,
            "ratio": (torch_ms / ms) if torch_ms else None, "gbs": gbs, "frac": gbs / copy_bw}


def _as_torch(a):
    return _torch().from_dlpack(a)


def bench_softmax(copy_bw):
    from minigrad.cuda import softmax as sm
    cp, torch = _cupy(), _torch()
    rows_out = []
    for cols in (32, 128, 512, 1024, 4096, 8192, 32768, 131072):
        shape = (N_ELEMS // cols, cols)
        x = cp.random.standard_normal(shape, dtype=cp.float32)
        dy = cp.random.standard_normal(shape, dtype=cp.float32)
        nb = x.nbytes
        for log in (False, True):
            name = "log_softmax" if log else "softmax"
            y = sm.softmax_forward(x, 1, log)
            t_ms = tb_ms = None
            if torch is not None:
                tx, ty, tdy = _as_torch(x), _as_torch(y), _as_torch(dy)
                f = torch.log_softmax if log else torch.softmax
                t_ms = time_ms(lambda f=f, tx=tx: f(tx, 1))
                bwd = torch._log_softmax_backward_data if log else torch._softmax_backward_data
                tb_ms = time_ms(lambda b=bwd, a=tdy, o=ty, tx=tx: b(a, o, 1, tx.dtype))
            ms = time_ms(lambda x=x, lg=log: sm.softmax_forward(x, 1, lg))
            rows_out.append(row(f"{name} fwd", shape, ms, t_ms, 2 * nb, copy_bw))
            ms = time_ms(lambda y=y, dy=dy, lg=log: sm.softmax_backward(y, dy, 1, lg))
            rows_out.append(row(f"{name} bwd", shape, ms, tb_ms, 3 * nb, copy_bw))
        del x, dy, y
    return rows_out


def bench_cross_entropy(copy_bw):
    """F.cross_entropy forward + backward through autograd, both libraries (mean reduction,
    loss.backward() seeding g = 1). minigrad's training path is ce_fwd_grad (the gradient
    written by the forward pass). 'fused kernels only' times the launcher without autograd
    (ce_targets, its host sync, ce_fwd_grad, ce_reduce); '2-kernel fwd, bwd' times the path
    (ce_fwd, then ce_bwd re-reading the logits) that a backward with a retained graph uses."""
    from minigrad.cuda import cross_entropy as ce
    cp, torch = _cupy(), _torch()
    rows_out = []
    for bt, v in ((8192, 32000), (16384, 50257), (65536, 1024), (262144, 128)):
        x = cp.random.standard_normal((bt, v), dtype=cp.float32)
        t = cp.random.randint(0, v, bt).astype(cp.int64)
        xt = mg.Tensor._make(x).requires_grad_(True)
        tt = mg.Tensor._make(t)
        one = cp.ones((), cp.float32)

        def mg_step(xt=xt, tt=tt):
            xt.grad = None
            F.cross_entropy(xt, tt).backward()

        def mg_two_kernels(x=x, t=t, one=one):
            _, stats, total = ce.forward(x, t, check=False)
            return ce.backward(x, t, None, -100, 0.0, "mean", stats, total, one)
        t_ms = None
        if torch is not None:
            ttt = _as_torch(t)
            t_ms = time_ms(lambda a=_as_torch(x), b=ttt: _torch_ce_step(a, b))
        # floor: read the logits once and write the gradient once (8 B per float32 element)
        rows_out.append(row("cross_entropy fwd+bwd", (bt, v), time_ms(mg_step), t_ms,
                            2 * x.nbytes, copy_bw))
        rows_out.append(row("  fused kernels only", (bt, v),
                            time_ms(lambda x=x, t=t: ce.forward(x, t, with_grad=True)), t_ms,
                            2 * x.nbytes, copy_bw))
        rows_out.append(row("  2-kernel fwd, bwd", (bt, v), time_ms(mg_two_kernels), t_ms,
                            2 * x.nbytes, copy_bw))
        xt.grad = None
        if torch is not None and v >= 32000:     # float64 at the vocabulary sizes, for the record
            xd = x.astype(cp.float64)
            txd = _as_torch(xd)
            rows_out.append(row("  float64 fused kernels", (bt, v),
                                time_ms(lambda xd=xd, t=t: ce.forward(xd, t, with_grad=True)),
                                time_ms(lambda a=txd, b=ttt: _torch_ce_step(a, b)),
                                2 * xd.nbytes, copy_bw))
            del xd, txd
        del x, xt
        cp.get_default_memory_pool().free_all_blocks()
        if torch is not None:
            torch.cuda.empty_cache()
    return rows_out


def _torch_ce_step(x, t):
    """torch's F.cross_entropy forward + backward with respect to x (no leaf state kept)."""
    torch = _torch()
    x = x.detach().requires_grad_(True)
    torch.nn.functional.cross_entropy(x, t).backward()


def bench_reduce(copy_bw):
    from minigrad.cuda import reduce as red
    cp, torch = _cupy(), _torch()
    x = cp.random.standard_normal(1 << 28, dtype=cp.float32)          # 1 GiB
    nb = x.nbytes
    out = []
    cupy_ms = time_ms(lambda: x.sum())
    t_ms = time_ms(lambda: _as_torch(x).sum()) if torch is not None else None
    out.append(row("sum full (vs torch)", x.shape, time_ms(lambda: red.reduce(x, (0,), "sum")),
                   t_ms, nb, copy_bw))
    out.append(row("cupy.sum full", x.shape, cupy_ms, None, nb, copy_bw))
    out.append(row("max full", x.shape, time_ms(lambda: red.reduce(x, (0,), "max")),
                   time_ms(lambda: _as_torch(x).max()) if torch is not None else None, nb,
                   copy_bw))
    for version in (1, 2, 3, 4):
        out.append(row(f"ladder v{version} sum", x.shape,
                       time_ms(lambda v=version: red.ladder_sum(x, v)), None, nb, copy_bw))
    for cols in (128, 8192):
        m = x.reshape(-1, cols)
        t_ms = time_ms(lambda m=m: _as_torch(m).sum(1)) if torch is not None else None
        out.append(row("sum rows", m.shape, time_ms(lambda m=m: red.reduce(m, (1,), "sum")),
                       t_ms, nb, copy_bw))
        out.append(row("cupy.sum rows", m.shape, time_ms(lambda m=m: m.sum(1)), None, nb,
                       copy_bw))
    return out


def print_table(rows, copy_bw):
    print(f"\ndevice-to-device copy: {copy_bw:.0f} GB/s (= 100%)")
    print(f"{'kernel':<24}{'shape':>18}{'mg ms':>10}{'torch ms':>10}{'ratio':>8}"
          f"{'GB/s':>8}{'% copy':>8}")
    for r in rows:
        tms = f"{r['torch_ms']:.3f}" if r["torch_ms"] else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        print(f"{r['kernel']:<24}{r['shape']!s:>18}{r['mg_ms']:>10.3f}{tms:>10}{ratio:>8}"
              f"{r['gbs']:>8.0f}{100 * r['frac']:>7.0f}%")
    ratios = [r["ratio"] for r in rows if r["ratio"] and "softmax" in r["kernel"]]
    if ratios:
        print(f"softmax geometric-mean speedup vs torch: {np.exp(np.mean(np.log(ratios))):.2f}x")


# ==================================================================================== attention
ATTN_SHAPES = [(8, 16, 1024, 64), (2, 16, 4096, 64), (4, 8, 2048, 128)]


def _attn_flops(B, H, N, d, causal, backward):
    # docs/kernels.md, 'Counting bytes and FLOPs'
    fwd = 4 * B * H * N * N * d * (0.5 if causal else 1.0)
    return fwd * (3.5 if backward else 1.0)


def _attn_inputs(B, H, N, d, requires_grad):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((B, H, N, d), dtype=np.float32) for _ in range(3)]
    return [mg.tensor(a, device="cuda", requires_grad=requires_grad) for a in arrays], arrays


def _attn_peak_bytes(fn):
    """Device memory fn() needs beyond what exists already: the footprint of a fresh CuPy
    memory pool that serves every allocation made while fn() runs (blocks freed inside fn are
    cached and reused by it, so the footprint is its high-water mark, rounded up to the
    pool's chunks). Earlier sections' leftovers in the default pool cannot skew it either way."""
    cp = _cupy()
    pool = cp.cuda.MemoryPool()
    cp.cuda.runtime.deviceSynchronize()
    with cp.cuda.using_allocator(pool.malloc):
        fn()
        cp.cuda.runtime.deviceSynchronize()
    return pool.total_bytes()


def _bench_attention_case(B, H, N, d, causal):
    """(relative error vs torch, {name: (ms, TFLOP/s)}) for one shape."""
    import torch
    import torch.nn.functional as TF
    (q, k, v), arrays = _attn_inputs(B, H, N, d, True)
    tq, tk, tv = (torch.tensor(a, device="cuda", requires_grad=True) for a in arrays)
    g = mg.randn(B, H, N, d, device="cuda")
    tg = torch.randn(B, H, N, d, device="cuda")

    def mg_fwd():
        with mg.no_grad():
            F.scaled_dot_product_attention(q, k, v, is_causal=causal)

    def mg_fb():
        out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        mg.grad(out, [q, k, v], g)

    def t_fwd():
        with torch.no_grad():
            TF.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)

    def t_fb():
        out = TF.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)
        torch.autograd.grad(out, [tq, tk, tv], tg)

    # correctness first: the fused output against torch's on the same inputs
    with mg.no_grad():
        ours = F.scaled_dot_product_attention(q, k, v, is_causal=causal).numpy()
    ref = TF.scaled_dot_product_attention(tq, tk, tv, is_causal=causal).detach().cpu().numpy()
    err = float(np.linalg.norm(ours - ref) / np.linalg.norm(ref))
    res = {}
    for name, fn, bwd in (("mg fwd", mg_fwd, False), ("torch fwd", t_fwd, False),
                          ("mg fwd+bwd", mg_fb, True), ("torch fwd+bwd", t_fb, True)):
        ms = time_ms(fn)
        res[name] = (ms, _attn_flops(B, H, N, d, causal, bwd) / ms / 1e9)
    return err, res


def bench_attention():
    """Fused SDPA (kernels/attention_tc.cu) vs torch SDPA, float32, forward and forward+backward;
    then the peak memory of L = 16384 with the fused kernel against the reference path."""
    rows = [((B, H, N, d), causal, *_bench_attention_case(B, H, N, d, causal))
            for B, H, N, d in ATTN_SHAPES for causal in (False, True)]
    print("\nattention, float32 (TFLOP/s; time ratio = torch / minigrad, >= 0.8 is the goal)")
    print(f"{'B,H,N,d':>16} {'causal':>6} {'rel err':>8} {'mg fwd':>7} {'torch':>7} {'ratio':>6}"
          f" {'mg f+b':>7} {'torch':>7} {'ratio':>6}")
    for shape, causal, err, r in rows:
        print(f"{','.join(map(str, shape)):>16} {causal!s:>6} {err:8.1e} "
              f"{r['mg fwd'][1]:7.1f} {r['torch fwd'][1]:7.1f} "
              f"{r['torch fwd'][0] / r['mg fwd'][0]:6.2f} {r['mg fwd+bwd'][1]:7.1f} "
              f"{r['torch fwd+bwd'][1]:7.1f} {r['torch fwd+bwd'][0] / r['mg fwd+bwd'][0]:6.2f}")

    # memory: one head of L = 16384, d = 64, forward + backward
    (q, k, v), _ = _attn_inputs(1, 1, 16384, 64, True)

    def fb():
        out = F.scaled_dot_product_attention(q, k, v)
        mg.grad(out, [q, k, v], mg.ones_like(out))
    fused = _attn_peak_bytes(fb)
    with mg.cuda.use_kernels(False):
        plain = _attn_peak_bytes(fb)
    print(f"\npeak memory, L=16384 d=64 fwd+bwd: fused {fused / 2**20:.0f} MiB, "
          f"reference path {plain / 2**20:.0f} MiB")
    return rows


SECTIONS = ("reduce", "softmax", "cross_entropy", "attention")


def main(argv=None):
    """python benchmarks/gpu.py [section ...]: all sections by default. A section that fails
    prints its traceback and the others still run."""
    import argparse
    import sys
    import traceback
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sections", nargs="*", help=f"any of {', '.join(SECTIONS)} (default: all)")
    picked = ap.parse_args(argv).sections or list(SECTIONS)
    bad = [s for s in picked if s not in SECTIONS]
    if bad:
        ap.error(f"unknown section(s) {bad}; choose from {list(SECTIONS)}")
    copy_bw = copy_bandwidth()
    bench = {"reduce": bench_reduce, "softmax": bench_softmax,
             "cross_entropy": bench_cross_entropy}
    for name in picked:
        try:
            if name == "attention":
                bench_attention()
            else:
                part = bench[name](copy_bw)
                print_table(part, copy_bw)
        except Exception:  # noqa: BLE001  (report it, run the other sections)
            print(f"\nsection {name} failed:", file=sys.stderr)
            traceback.print_exc()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
