"""GPU benchmarks: minigrad's CUDA kernels side by side with torch, in one run.

Run on a CUDA machine: python benchmarks/gpu.py   (prints one table per section, then a summary)
Timing: CUDA events around each call, a 256 MiB L2 flush before each timed run, medians of
`REPEAT` runs after warm-up (GPU.md section 6). Each section is one function; main() runs all.
"""
from __future__ import annotations

import statistics

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

REPEAT = 20


def _cupy():
    import cupy
    return cupy


def time_ms(fn, repeat=REPEAT, warmup=3, flush=True):
    """Median milliseconds of fn() on the GPU (CuPy and torch share the default stream)."""
    cp = _cupy()
    scratch = cp.empty(64 * 1024 * 1024, np.float32) if flush else None   # 256 MiB
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        if flush:
            scratch.fill(0)
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, end))
    return statistics.median(times)


# ==================================================================================== attention
ATTN_SHAPES = [(8, 16, 1024, 64), (2, 16, 4096, 64), (4, 8, 2048, 128)]


def _attn_flops(B, H, N, d, causal, backward):
    fwd = 4 * B * H * N * N * d * (0.5 if causal else 1.0)     # GPU.md section 0
    return fwd * (3.5 if backward else 1.0)


def _attn_inputs(B, H, N, d, requires_grad):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((B, H, N, d), dtype=np.float32) for _ in range(3)]
    return [mg.tensor(a, device="cuda", requires_grad=requires_grad) for a in arrays], arrays


def _attn_peak_bytes(fn):
    """High-water mark of CuPy's memory pool while fn() runs (blocks freed before)."""
    cp = _cupy()
    pool = cp.get_default_memory_pool()
    cp.cuda.runtime.deviceSynchronize()
    pool.free_all_blocks()
    base = pool.used_bytes()
    fn()
    cp.cuda.runtime.deviceSynchronize()
    return pool.total_bytes() - base


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
    """Fused SDPA (kernels/attention.cu) vs torch SDPA, float32, forward and forward+backward;
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


def main():
    bench_attention()


if __name__ == "__main__":
    main()
