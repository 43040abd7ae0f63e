// attention.cu: fused scaled-dot-product attention, flash style, float32 (FlashAttention-2
// forward, Triton-tutorial backward). The L x S score matrix never reaches global memory.
//
// Math (one (batch*head) slice; scale s; bias B optional, -inf entries mask; causal: key j > i masked)
//   S = Q K^T s + B                 P = softmax(S) row-wise      O = P V
//   LSE_i = log sum_j exp(S_ij)     (saved by the forward: P_ij = exp(S_ij - LSE_i) in backward)
//   Delta_i = sum_c dO_ic O_ic      (= sum_j P_ij dP_ij)
//   dP = dO V^T    dS = P * (dP - Delta)    dV = P^T dO    dK = s dS^T Q    dQ = s dS K
//   dB = dS (written only when the bias needs a gradient; the host sums it to B's shape)
// A row with no finite score (everything masked) gets O = 0 and LSE = +inf, as torch's SDPA;
// exp(S - LSE) is then 0 in the backward, so its gradients are 0 too.
// The softmax runs in base 2: x2 = x * log2(e), exp2f(x2 - m2) (one FFMA folded into the scale).
//
// Layout: Q (BH, L, d), K and V (BH, S, d), O and dQ/dK/dV alike, all C-contiguous float32,
// d <= D (tiles are zero-padded to D columns in shared memory). LSE and Delta (BH, L).
// The bias is read through strides: B[bias_off[bh] + i * bias_si + j * bias_sj] (elements), so
// any broadcast view of a (..., L, S) mask works without copying it. dB is (BH, L, S).
//
// Kernels (launched by minigrad/cuda/attention.py; NumPy reference: FlashAttention.forward and
// FlashAttentionBackward.forward in minigrad/ops/attention.py). v1, plain FMAs (the readable
// versions; the CPU emulator test runs them and v2):
//   attn_fwd<D, BIAS>            grid (ceil(L/64), BH), 256 threads as a 16 x 16 grid. Each block
//        owns a 64-row Q tile and loops over 64-row K/V tiles (causal: only tiles with a key
//        j <= the tile's last query), keeping the online (m, l) per row and the O tile in
//        registers. Thread (ty, tx) owns score rows ty + 16i, cols tx + 16j (i, j < 4) and O
//        columns tx + 16jj (jj < D/16). Row max/sum: __shfl_xor over the 16 lanes of a row.
//        Shared: Qs, Ks [64][D+1] (odd stride: column reads conflict-free), Vs [64][D],
//        Ps [64][65]: 66 KB (D=64), 115 KB (D=128), dynamic.
//        Bytes: Q, O once; K, V once per Q tile: (2 + 2 ceil(L/64)) * S*d*4 per slice.
//        FLOPs: 4 L S d (half of it with is_causal).
//   attn_bwd_delta               Delta = rowsum(dO * O): one warp per row, 256 threads; 2 L d * 4
//        bytes read per slice (memory bound).
//   attn_bwd<D, BIAS, DBIAS>     grid (max(ceil(S/64), ceil(L/64)), BH), 256 threads. Block n runs
//        phase 1: dK, dV of K/V tile n, looping over the Q tiles that can see it (P recomputed
//        from LSE), then phase 2: dQ of Q tile n, looping over K/V tiles. No atomics: every
//        output element is written by exactly one block, so results are bitwise reproducible
//        (Triton's fused-attention tutorial layout; QK^T is recomputed twice).
//        Shared: Qs, dOs, Ks, Vs [64][D+1], Ps [64][65], lse/delta [64]: 84 KB (D=64),
//        149 KB (D=128). FLOPs: 2.5x the forward's
//        (docs/kernels.md, 'Counting bytes and FLOPs').
//   --- v2 (below the second rule): the same algorithms, matrix products on tensor cores ---
//   attn_fwd_tc<D, WQ, IT, BIAS>         as attn_fwd, S = Q K^T and O += P V as mma.sync TF32 in
//        "3xTF32" (float32-grade accuracy); 128 * WQ threads, key tiles of IT rows.
//   attn_bwd_tc<D, WQ, IT, BIAS, DBIAS>  as attn_bwd (same grid, phases, no atomics), its four
//        products (dV += P^T dO, dP = dO V^T, dK += dS^T Q, dQ += dS K) and the recomputed
//        S on mma.sync in 3xTF32.
//        Measured on the H100 (benchmarks/gpu.py, TFLOP/s, fwd / fwd+bwd): v1 16-21 / 14-18,
//        v2 31-45 / 27-36: 0.82-1.33x / 0.91-1.06x torch's float32 SDPA (CUTLASS, 3xTF32).
// Dispatch (minigrad/cuda/attention.py): D = the smallest of 32, 64, 128 that holds d; bigger
// heads, dropout and other dtypes take the reference path (ops/attention.py: fused_unsupported).
// TENSOR_CORES picks v2 (default) or v1; (WQ, IT) per D come from FWD_CFG / BWD_CFG (IT = 32
// at D = 128 fits two blocks per SM in shared memory; that measured fastest there).
#include "common.cuh"

namespace {

constexpr int BR = 64;          // query rows per tile
constexpr int BC = 64;          // key rows per tile
constexpr int NT = 256;         // threads per block (16 x 16)
constexpr int PS = BC + 1;      // row stride of the P tile
constexpr float LOG2E = 1.4426950408889634f;
constexpr float LN2 = 0.6931471805599453f;

__device__ __forceinline__ float pos_inf() { return __int_as_float(0x7f800000); }

// rows x D tile of a (n, d) matrix starting at row r0, into smem with row stride ld; zero
// beyond n rows and d columns so that padded dot products add nothing.
template <int D>
__device__ __forceinline__ void load_tile(float* dst, int ld, const float* __restrict__ src,
                                          int r0, int n, int d) {
    for (int idx = threadIdx.x; idx < 64 * D; idx += NT) {
        const int r = idx / D, c = idx % D;
        dst[r * ld + c] = (r0 + r < n && c < d) ? src[(long long)(r0 + r) * d + c] : 0.f;
    }
}

// acc[i][j] += A[ar + 16i] . B[br + 16j] over D columns (both tiles with row stride ld)
template <int D>
__device__ __forceinline__ void dot_tile(float (&acc)[4][4], const float* A, const float* B,
                                         int ld, int ar, int br) {
#pragma unroll 8
    for (int c = 0; c < D; ++c) {
        float a[4], b[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) a[i] = A[(ar + 16 * i) * ld + c];
#pragma unroll
        for (int j = 0; j < 4; ++j) b[j] = B[(br + 16 * j) * ld + c];
#pragma unroll
        for (int i = 0; i < 4; ++i)
#pragma unroll
            for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
}

// out[i][jj] += sum_k P[pr + 16i][k] * M[k][tx + 16jj] over the 64 rows k of M (row stride ld)
template <int D>
__device__ __forceinline__ void pm_tile(float (&out)[4][D / 16], const float* P, int pr,
                                        const float* M, int ld, int tx) {
#pragma unroll 4
    for (int k = 0; k < 64; ++k) {
        float m[D / 16];
#pragma unroll
        for (int jj = 0; jj < D / 16; ++jj) m[jj] = M[k * ld + tx + 16 * jj];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const float p = P[(pr + 16 * i) * PS + k];
#pragma unroll
            for (int jj = 0; jj < D / 16; ++jj) out[i][jj] = fmaf(p, m[jj], out[i][jj]);
        }
    }
}

template <int D>
__device__ __forceinline__ void store_rows(float* __restrict__ dst, const float (&v)[4][D / 16],
                                           float mul, int r0, int n, int d, int ty, int tx) {
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int r = r0 + ty + 16 * i;
        if (r >= n) continue;
#pragma unroll
        for (int jj = 0; jj < D / 16; ++jj) {
            const int c = tx + 16 * jj;
            if (c < d) dst[(long long)r * d + c] = v[i][jj] * mul;
        }
    }
}

}  // namespace

// =================================================================================== forward
template <int D, bool BIAS>
__global__ void __launch_bounds__(NT)
attn_fwd(const float* __restrict__ Q, const float* __restrict__ K, const float* __restrict__ V,
         const float* __restrict__ bias, const long long* __restrict__ bias_off,
         long long bias_si, long long bias_sj, float* __restrict__ O, float* __restrict__ LSE,
         int L, int S, int d, float scale, int causal) {
    constexpr int LD = D + 1, DJ = D / 16;
    extern __shared__ float smem[];
    float* Qs = smem;                    // [BR][LD]
    float* Ks = Qs + BR * LD;            // [BC][LD]
    float* Vs = Ks + BC * LD;            // [BC][D]
    float* Ps = Vs + BC * D;             // [BR][PS]
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    const long long bh = blockIdx.y;
    const int q0 = blockIdx.x * BR;
    const float* Qb = Q + bh * L * d;
    const float* Kb = K + bh * S * d;
    const float* Vb = V + bh * S * d;
    const float* Bb = BIAS ? bias + bias_off[bh] : nullptr;
    const float s2 = scale * LOG2E;
    const float ninf = mg::neg_inf<float>();

    // 1. this block's Q tile stays in shared memory
    load_tile<D>(Qs, LD, Qb, q0, L, d);
    float m[4], l[4], acc[4][DJ];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        m[i] = ninf;
        l[i] = 0.f;
#pragma unroll
        for (int jj = 0; jj < DJ; ++jj) acc[i][jj] = 0.f;
    }
    const int kend = causal ? min(S, q0 + BR) : S;
    for (int k0 = 0; k0 < kend; k0 += BC) {
        // 2. next K/V tile (the sync keeps the previous tile alive until everyone is done)
        __syncthreads();
        load_tile<D>(Ks, LD, Kb, k0, S, d);
        load_tile<D>(Vs, D, Vb, k0, S, d);
        __syncthreads();
        // 3. scores of the 4x4 micro-tile, in base 2, with bias and masks
        float s[4][4] = {};
        dot_tile<D>(s, Qs, Ks, LD, ty, tx);
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const int r = q0 + ty + 16 * i;
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                const int c = k0 + tx + 16 * j;
                float x = s[i][j] * s2;
                if (c >= S || (causal && c > r)) x = ninf;
                else if (BIAS && r < L) x += Bb[r * bias_si + c * bias_sj] * LOG2E;
                s[i][j] = x;
            }
        }
        // 4. online softmax: new row max, rescale the running sum and O, add this tile
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            float mx = fmaxf(fmaxf(s[i][0], s[i][1]), fmaxf(s[i][2], s[i][3]));
            mx = mg::warp_max<16>(mx);
            const float mnew = fmaxf(m[i], mx);
            const float mref = (mnew == ninf) ? 0.f : mnew;      // all -inf so far: p = 0
            const float alpha = exp2f(m[i] - mref);
            float rs = 0.f;
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                s[i][j] = exp2f(s[i][j] - mref);
                rs += s[i][j];
            }
            l[i] = l[i] * alpha + mg::warp_sum<16>(rs);
            m[i] = mnew;
#pragma unroll
            for (int jj = 0; jj < DJ; ++jj) acc[i][jj] *= alpha;
        }
        // 5. O += P V through shared memory
#pragma unroll
        for (int i = 0; i < 4; ++i)
#pragma unroll
            for (int j = 0; j < 4; ++j) Ps[(ty + 16 * i) * PS + tx + 16 * j] = s[i][j];
        __syncthreads();
        pm_tile<D>(acc, Ps, ty, Vs, D, tx);
    }
    // 6. O = acc / l and LSE = m ln2 + ln l (a row with l = 0 attended nothing: O = 0, +inf)
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int r = q0 + ty + 16 * i;
        const float inv = l[i] > 0.f ? 1.f / l[i] : 0.f;
#pragma unroll
        for (int jj = 0; jj < DJ; ++jj) acc[i][jj] *= inv;
        if (tx == 0 && r < L) LSE[bh * L + r] = l[i] > 0.f ? m[i] * LN2 + logf(l[i]) : pos_inf();
    }
    store_rows<D>(O + bh * L * d, acc, 1.f, q0, L, d, ty, tx);
}

// ============================================================================ backward: Delta
__global__ void __launch_bounds__(NT)
attn_bwd_delta(const float* __restrict__ O, const float* __restrict__ dO,
               float* __restrict__ delta, long long rows, int d) {
    const long long row = (long long)blockIdx.x * (NT / 32) + threadIdx.x / 32;
    if (row >= rows) return;                        // whole warps leave together
    const float* o = O + row * d;
    const float* g = dO + row * d;
    float acc = 0.f;
    for (int c = threadIdx.x % 32; c < d; c += 32) acc = fmaf(o[c], g[c], acc);
    acc = mg::warp_sum<32>(acc);
    if (threadIdx.x % 32 == 0) delta[row] = acc;
}

// ==================================================================== backward: dK dV, then dQ
template <int D, bool BIAS, bool DBIAS>
__global__ void __launch_bounds__(NT)
attn_bwd(const float* __restrict__ Q, const float* __restrict__ K, const float* __restrict__ V,
         const float* __restrict__ bias, const long long* __restrict__ bias_off,
         long long bias_si, long long bias_sj, const float* __restrict__ dO,
         const float* __restrict__ LSE, const float* __restrict__ Delta,
         float* __restrict__ dQ, float* __restrict__ dK, float* __restrict__ dV,
         float* __restrict__ dB, int L, int S, int d, float scale, int causal) {
    constexpr int LD = D + 1, DJ = D / 16;
    extern __shared__ float smem[];
    float* Qs = smem;                    // [64][LD] each
    float* dOs = Qs + 64 * LD;
    float* Ks = dOs + 64 * LD;
    float* Vs = Ks + 64 * LD;
    float* Ps = Vs + 64 * LD;            // [64][PS]
    float* lse_s = Ps + 64 * PS;         // [64], base 2
    float* delta_s = lse_s + 64;         // [64]
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    const long long bh = blockIdx.y;
    const int n0 = blockIdx.x * 64;
    const float* Qb = Q + bh * L * d;
    const float* dOb = dO + bh * L * d;
    const float* Kb = K + bh * S * d;
    const float* Vb = V + bh * S * d;
    const float* Bb = BIAS ? bias + bias_off[bh] : nullptr;
    float* dBb = DBIAS ? dB + bh * L * S : nullptr;
    const float s2 = scale * LOG2E;

    // P_ij in base 2 from the raw dot product x = q_i . k_j (0 where masked or out of range)
    auto prob = [&](float x, int i, int j, float lse2) -> float {
        if (i >= L || j >= S || (causal && j > i)) return 0.f;
        x *= s2;
        if (BIAS) x += Bb[i * bias_si + j * bias_sj] * LOG2E;
        return exp2f(x - lse2);                       // lse2 = +inf (dead row) gives 0
    };
    auto load_rowstats = [&](int q0) {
        for (int r = threadIdx.x; r < 64; r += NT) {
            const bool in = q0 + r < L;
            lse_s[r] = in ? LSE[bh * L + q0 + r] * LOG2E : pos_inf();
            delta_s[r] = in ? Delta[bh * L + q0 + r] : 0.f;
        }
    };

    // ---- phase 1: dK, dV of key tile n0 (thread owns key rows ty + 16i) ----
    if (n0 < S) {
        load_tile<D>(Ks, LD, Kb, n0, S, d);
        load_tile<D>(Vs, LD, Vb, n0, S, d);
        float dk[4][DJ] = {}, dv[4][DJ] = {};
        const int qstart = causal ? n0 : 0;           // earlier Q tiles see none of these keys
        for (int q0 = qstart; q0 < L; q0 += BR) {
            __syncthreads();
            load_tile<D>(Qs, LD, Qb, q0, L, d);
            load_tile<D>(dOs, LD, dOb, q0, L, d);
            load_rowstats(q0);
            __syncthreads();
            // 1a. S^T and dP^T for (key ty + 16i, query tx + 16j)
            float st[4][4] = {}, dpt[4][4] = {};
            dot_tile<D>(st, Ks, Qs, LD, ty, tx);
            dot_tile<D>(dpt, Vs, dOs, LD, ty, tx);
            // 1b. P^T to shared memory; dS^T = P^T (dP^T - Delta) kept in registers
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const int kj = n0 + ty + 16 * i, qi = q0 + tx + 16 * j;
                    const float p = prob(st[i][j], qi, kj, lse_s[tx + 16 * j]);
                    Ps[(ty + 16 * i) * PS + tx + 16 * j] = p;
                    st[i][j] = p * (dpt[i][j] - delta_s[tx + 16 * j]);
                    if (DBIAS && qi < L && kj < S) dBb[(long long)qi * S + kj] = st[i][j];
                }
            __syncthreads();
            // 1c. dV += P^T dO
            pm_tile<D>(dv, Ps, ty, dOs, LD, tx);
            __syncthreads();
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) Ps[(ty + 16 * i) * PS + tx + 16 * j] = st[i][j];
            __syncthreads();
            // 1d. dK += dS^T Q (times scale at the end)
            pm_tile<D>(dk, Ps, ty, Qs, LD, tx);
        }
        store_rows<D>(dK + bh * S * d, dk, scale, n0, S, d, ty, tx);
        store_rows<D>(dV + bh * S * d, dv, 1.f, n0, S, d, ty, tx);
    }

    // ---- phase 2: dQ of query tile n0 (thread owns query rows ty + 16i) ----
    if (n0 < L) {
        __syncthreads();
        load_tile<D>(Qs, LD, Qb, n0, L, d);
        load_tile<D>(dOs, LD, dOb, n0, L, d);
        load_rowstats(n0);
        float dq[4][DJ] = {};
        const int kend = causal ? min(S, n0 + BR) : S;
        for (int k0 = 0; k0 < kend; k0 += BC) {
            __syncthreads();
            load_tile<D>(Ks, LD, Kb, k0, S, d);
            load_tile<D>(Vs, LD, Vb, k0, S, d);
            __syncthreads();
            // 2a. S and dP for (query ty + 16i, key tx + 16j); dS to shared memory
            float s[4][4] = {}, dp[4][4] = {};
            dot_tile<D>(s, Qs, Ks, LD, ty, tx);
            dot_tile<D>(dp, dOs, Vs, LD, ty, tx);
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    const int r = ty + 16 * i;
                    const float p = prob(s[i][j], n0 + r, k0 + tx + 16 * j, lse_s[r]);
                    Ps[r * PS + tx + 16 * j] = p * (dp[i][j] - delta_s[r]);
                }
            __syncthreads();
            // 2b. dQ += dS K (times scale at the end)
            pm_tile<D>(dq, Ps, ty, Ks, LD, tx);
        }
        store_rows<D>(dQ + bh * L * d, dq, scale, n0, L, d, ty, tx);
    }
}

// ############################################################################################
// v2: the same three algorithms with every matrix product on tensor cores, in "3xTF32".
// TF32 keeps 10 mantissa bits (relative error ~3e-4 per product: not float32-grade), so each
// operand is split x = hi + lo with hi = tf32(x) and lo = x - hi (exact; the tensor core reads
// its top 19 bits), and a product is
//   A B ~= Ahi Bhi + Ahi Blo + Alo Bhi      (dropped: Alo Blo and lo's low bits, ~2^-21 rel.)
// accumulated in float32: three mma.sync.m16n8k8 TF32 per 16x8x8 block, ~1e-6 relative error
// like float32 SIMT code (torch's float32 SDPA does the same: CUTLASS OpMultiplyAddFastF32).
//
// Fragment layout of mma.m16n8k8 (PTX ISA; lane = 4g + t, g = lane / 4, t = lane % 4):
//   A (16 x 8, row)   a0 (g, t)   a1 (g+8, t)   a2 (g, t+4)   a3 (g+8, t+4)
//   B (8 x 8, col)    b0 (t, g)   b1 (t+4, g)                      (element (k, n))
//   C (16 x 8)        c0 (g, 2t)  c1 (g, 2t+1)  c2 (g+8, 2t)  c3 (g+8, 2t+1)
// A warp owns a 16-row strip of S (or S^T) in C layout, so the row max/sum of the online
// softmax reduce over the 4 lanes of a quad. To feed P (C layout) back in as the A operand of
// P V without a trip through shared memory, the 8 keys of a k-step are taken in the order
// (0, 2, 4, 6, 1, 3, 5, 7): then a0..a3 = c0, c2, c1, c3 of the same thread, and the B
// operand reads V rows k0 + 2t and k0 + 2t + 1 (load_bv).
// Shared tiles have row stride D + 4 (= 4 mod 32 words): both access patterns, (g, t) ->
// g * ld + t and (t, g) -> 2t * ld + g, hit 32 different banks.
// cp.async (16-byte when d % 4 == 0 and the slice is 16-byte aligned, else 4-byte) fills the
// tiles with zeros past the last row and column.
// Built by the CPU emulator too (tests/cuda_emu): without __CUDACC__, mma3 gathers the warp's
// fragments through a buffer and multiplies on the CPU, and cp.async is a plain copy.
// ############################################################################################
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define MG_ATTN_PTX 1
#endif

namespace {


struct FragA { unsigned hi[4], lo[4]; };
struct FragB { unsigned hi[2], lo[2]; };

// round to TF32 (nearest, ties away; 10 mantissa bits, low 13 bits zero)
__device__ __forceinline__ unsigned to_tf32(float x) {
#ifdef MG_ATTN_PTX
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
#else
    unsigned u = __float_as_uint(x);
    if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
    return u;
#endif
}

// x = hi + lo exactly; lo goes to the MMA unrounded: the tensor core reads the top 19 bits of a
// TF32 operand (truncation, the same thing CUTLASS's round_half_ulp_truncate relies on), an
// error of < 2^-10 |lo| < 2^-21 |x|, one instruction cheaper than rounding lo
__device__ __forceinline__ void split(float x, unsigned& hi, unsigned& lo) {
    hi = to_tf32(x);
    lo = __float_as_uint(x - __uint_as_float(hi));
#ifndef MG_ATTN_PTX
    lo &= 0xffffe000u;                                 // what the tensor core sees
#endif
}

#ifdef MG_ATTN_PTX
__device__ __forceinline__ void mma_tf32(float (&c)[4], const unsigned (&a)[4],
                                         const unsigned (&b)[2]) {
    asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
        "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif

// c += A B for one 16x8x8 block in 3xTF32: the small cross terms first, then the big one
__device__ __forceinline__ void mma3(float (&c)[4], const FragA& a, const FragB& b) {
#ifdef MG_ATTN_PTX
    mma_tf32(c, a.lo, b.hi);
    mma_tf32(c, a.hi, b.lo);
    mma_tf32(c, a.hi, b.hi);
#else
    static unsigned xa[32][32][8], xb[32][32][4];      // [warp][lane]: the warp's fragments
    const int w = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    for (int i = 0; i < 4; ++i) { xa[w][lane][i] = a.hi[i]; xa[w][lane][4 + i] = a.lo[i]; }
    for (int i = 0; i < 2; ++i) { xb[w][lane][i] = b.hi[i]; xb[w][lane][2 + i] = b.lo[i]; }
    __syncwarp();
    for (int e = 0; e < 4; ++e) {
        const int r = g + 8 * (e / 2), n = 2 * t + e % 2;
        float sum = 0.f;
        for (int k = 0; k < 8; ++k) {
            const unsigned* pa = xa[w][(r % 8) * 4 + k % 4];
            const unsigned* pb = xb[w][n * 4 + k % 4];
            const int ia = r / 8 + 2 * (k / 4), ib = k / 4;
            const float ah = __uint_as_float(pa[ia]), al = __uint_as_float(pa[4 + ia]);
            const float bh = __uint_as_float(pb[ib]), bl = __uint_as_float(pb[2 + ib]);
            sum = fmaf(al, bh, sum);
            sum = fmaf(ah, bl, sum);
            sum = fmaf(ah, bh, sum);
        }
        c[e] += sum;
    }
    __syncwarp();                                      // nobody refills before all have read
#endif
}

// A fragment of rows r0.., cols k0.. of a row-major smem tile (row stride LD)
template <int LD>
__device__ __forceinline__ FragA load_a(const float* T, int r0, int k0, int g, int t) {
    FragA f;
    const float* p = T + (r0 + g) * LD + k0 + t;
    split(p[0], f.hi[0], f.lo[0]);
    split(p[8 * LD], f.hi[1], f.lo[1]);
    split(p[4], f.hi[2], f.lo[2]);
    split(p[8 * LD + 4], f.hi[3], f.lo[3]);
    return f;
}

// B fragment with B[k][n] = T[n0 + n][k0 + k]: the operand of X T^T (T's rows are the columns)
template <int LD>
__device__ __forceinline__ FragB load_bt(const float* T, int n0, int k0, int g, int t) {
    FragB f;
    const float* p = T + (n0 + g) * LD + k0 + t;
    split(p[0], f.hi[0], f.lo[0]);
    split(p[4], f.hi[1], f.lo[1]);
    return f;
}

// B fragment with B[k][n] = T[k0 + (0,2,4,6,1,3,5,7)[k]][n0 + n]: the operand of P T, P in C layout
template <int LD>
__device__ __forceinline__ FragB load_bv(const float* T, int k0, int n0, int g, int t) {
    FragB f;
    const float* p = T + (k0 + 2 * t) * LD + n0 + g;
    split(p[0], f.hi[0], f.lo[0]);
    split(p[LD], f.hi[1], f.lo[1]);
    return f;
}

// the A fragment of an 8-column block of a C-layout accumulator (keys in load_bv's order)
__device__ __forceinline__ FragA frag_from_acc(const float (&c)[4]) {
    FragA f;
    split(c[0], f.hi[0], f.lo[0]);
    split(c[2], f.hi[1], f.lo[1]);
    split(c[1], f.hi[2], f.lo[2]);
    split(c[3], f.hi[3], f.lo[3]);
    return f;
}

// ---- asynchronous global -> shared copies (zero-filled where out of range) ----
#ifdef MG_ATTN_PTX
__device__ __forceinline__ unsigned smem_addr(const void* p) {     // generic -> .shared
    unsigned a;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
    return a;
}
#endif

__device__ __forceinline__ void cp_async16(float* dst, const float* src, bool ok) {
#ifdef MG_ATTN_PTX
    const unsigned s = smem_addr(dst);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n"
                 :: "r"(s), "l"(src), "r"(ok ? 16 : 0) : "memory");
#else
    for (int i = 0; i < 4; ++i) dst[i] = ok ? src[i] : 0.f;
#endif
}

__device__ __forceinline__ void cp_async4(float* dst, const float* src, bool ok) {
#ifdef MG_ATTN_PTX
    const unsigned s = smem_addr(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n"
                 :: "r"(s), "l"(src), "r"(ok ? 4 : 0) : "memory");
#else
    *dst = ok ? *src : 0.f;
#endif
}

__device__ __forceinline__ void cp_async_commit() {
#ifdef MG_ATTN_PTX
    asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}

__device__ __forceinline__ void cp_async_wait_all() {
#ifdef MG_ATTN_PTX
    asm volatile("cp.async.wait_all;\n" ::: "memory");
#endif
}

// rows r0 .. r0+R-1 of a (n, d) matrix into an [R][D + 4] smem tile, zeros past n rows / d cols
template <int D, int R, int NTHR>
__device__ __forceinline__ void tile_async(float* dst, const float* __restrict__ src, int r0,
                                           int n, int d) {
    constexpr int LD = D + 4;
    if ((d & 3) == 0 && (reinterpret_cast<unsigned long long>(src) & 15) == 0) {
        for (int idx = threadIdx.x; idx < R * D / 4; idx += NTHR) {
            const int r = idx / (D / 4), c = idx % (D / 4) * 4;
            const bool ok = r0 + r < n && c < d;
            cp_async16(dst + r * LD + c, ok ? src + (long long)(r0 + r) * d + c : src, ok);
        }
    } else {
        for (int idx = threadIdx.x; idx < R * D; idx += NTHR) {
            const int r = idx / D, c = idx % D;
            const bool ok = r0 + r < n && c < d;
            cp_async4(dst + r * LD + c, ok ? src + (long long)(r0 + r) * d + c : src, ok);
        }
    }
}

// acc (a warp's 16 x D strip in C layout) of the WQ = 2 partner warps summed into warp h = 0
// (a fixed order: bitwise reproducible). buf: a free [64][D + 4] smem tile. All threads call.
template <int D, int WQ>
__device__ __forceinline__ void sum_partners(float (&acc)[D / 8][4], float* buf, int rw,
                                             int h, int g, int t) {
    if (WQ == 1) return;
    constexpr int LD = D + 4;
    __syncthreads();                                   // buf may still be read as a tile
    if (h == 1) {
#pragma unroll
        for (int nt = 0; nt < D / 8; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e)
                buf[(rw + g + 8 * (e / 2)) * LD + nt * 8 + 2 * t + e % 2] = acc[nt][e];
    }
    __syncthreads();
    if (h == 0) {
#pragma unroll
        for (int nt = 0; nt < D / 8; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e)
                acc[nt][e] += buf[(rw + g + 8 * (e / 2)) * LD + nt * 8 + 2 * t + e % 2];
    }
}

// a warp's 16 x D C-layout strip (rows r0 + rw ..) times mul to a (n, d) matrix
template <int D>
__device__ __forceinline__ void store_strip(float* __restrict__ dst, const float (&acc)[D / 8][4],
                                            float mul, int r0, int n, int d, int g, int t) {
#pragma unroll
    for (int nt = 0; nt < D / 8; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            const int r = r0 + g + 8 * (e / 2), c = nt * 8 + 2 * t + e % 2;
            if (r < n && c < d) dst[(long long)r * d + c] = acc[nt][e] * mul;
        }
}

}  // namespace

// ========================================================================= v2 forward (3xTF32)
// attn_fwd_tc<D, WQ, IT, BIAS>: O, LSE as attn_fwd. grid (ceil(L/64), BH), 128 * WQ threads.
// The block loops over key tiles of IT rows (64 or 32); warp w owns query rows 16 (w % 4) ..
// + 15 of its 64-row tile and keys (IT / WQ) (w / 4) .. of every key tile (WQ = 2: two
// partial (m, l, O) per row, merged at the end). Per key tile a warp does S = Q K^T and
// O += P V on mma.sync (3 x D IT / (32 WQ) MMAs each); causal: a warp skips a key tile
// whose keys all lie past its rows. Shared: Qs [64][D + 4], Ks, Vs [IT][D + 4]: 52 KB
// (D = 64, IT = 64), 68 KB (D = 128, IT = 32). cp.async overlaps the V tile with S and the
// next K tile with P V. Bytes: Q, O once; K, V once per query tile. FLOPs: as attn_fwd.
template <int D, int WQ, int IT, bool BIAS>
__global__ void __launch_bounds__(256)      // 128 * WQ threads
attn_fwd_tc(const float* __restrict__ Q, const float* __restrict__ K,
            const float* __restrict__ V, const float* __restrict__ bias,
            const long long* __restrict__ bias_off, long long bias_si, long long bias_sj,
            float* __restrict__ O, float* __restrict__ LSE, int L, int S, int d, float scale,
            int causal) {
    constexpr int NTHR = 128 * WQ, LD = D + 4, NTK = IT / 8 / WQ, NTD = D / 8;
    extern __shared__ __align__(16) float smem[];
    float* Qs = smem;                    // [64][LD]
    float* Ks = Qs + 64 * LD;            // [IT][LD]
    float* Vs = Ks + IT * LD;            // [IT][LD]
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const int rw = 16 * (warp % 4), h = warp / 4, kc = h * (IT / WQ);
    const long long bh = blockIdx.y;
    // causal: the longest rows (the last query tiles) first, so the short ones fill the tail
    const int q0 = (causal ? gridDim.x - 1 - blockIdx.x : blockIdx.x) * 64;
    const float* Qb = Q + bh * L * d;
    const float* Kb = K + bh * S * d;
    const float* Vb = V + bh * S * d;
    const float* Bb = BIAS ? bias + bias_off[bh] : nullptr;
    const float s2 = scale * LOG2E;
    const float ninf = mg::neg_inf<float>();

    // 1. the Q tile and the first K tile in flight
    tile_async<D, 64, NTHR>(Qs, Qb, q0, L, d);
    tile_async<D, IT, NTHR>(Ks, Kb, 0, S, d);
    cp_async_commit();
    float o[NTD][4], m[2] = {ninf, ninf}, l[2] = {0.f, 0.f};
#pragma unroll
    for (int nt = 0; nt < NTD; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e) o[nt][e] = 0.f;
    const int kend = causal ? min(S, q0 + 64) : S;
    for (int k0 = 0; k0 < kend; k0 += IT) {
        // this warp's keys reach the diagonal for one of its rows (one uniform branch: a
        // test per 8-key block inside the unrolled loops costs more than it saves)
        const bool live = !causal || k0 + kc <= q0 + rw + 15;
        // 2. K tile landed and everyone is done with the last V tile: fetch this V tile
        cp_async_wait_all();
        __syncthreads();
        tile_async<D, IT, NTHR>(Vs, Vb, k0, S, d);
        cp_async_commit();
        // 3. S = Q K^T for this warp's 16 rows x IT/WQ keys
        float s[NTK][4];
#pragma unroll
        for (int nt = 0; nt < NTK; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e) s[nt][e] = 0.f;
        if (live) {
#pragma unroll 2
            for (int kk = 0; kk < D / 8; ++kk) {
                const FragA a = load_a<LD>(Qs, rw, kk * 8, g, t);
#pragma unroll
                for (int nt = 0; nt < NTK; ++nt)
                    mma3(s[nt], a, load_bt<LD>(Ks, kc + nt * 8, kk * 8, g, t));
            }
        }
        // 4. base-2 scores with bias and masks (e / 2 picks row g or g + 8)
#pragma unroll
        for (int nt = 0; nt < NTK; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int r = q0 + rw + g + 8 * (e / 2), c = k0 + kc + nt * 8 + 2 * t + e % 2;
                float x = s[nt][e] * s2;
                if (c >= S || (causal && c > r)) x = ninf;
                else if (BIAS && r < L) x += Bb[r * bias_si + c * bias_sj] * LOG2E;
                s[nt][e] = x;
            }
        // 5. online softmax per row: a quad of lanes shares a row
#pragma unroll
        for (int hh = 0; hh < 2; ++hh) {
            float mx = ninf;
#pragma unroll
            for (int nt = 0; nt < NTK; ++nt)
                mx = fmaxf(mx, fmaxf(s[nt][2 * hh], s[nt][2 * hh + 1]));
            const float mnew = fmaxf(m[hh], mg::warp_max<4>(mx));
            const float mref = (mnew == ninf) ? 0.f : mnew;    // all -inf so far: p = 0
            const float alpha = exp2f(m[hh] - mref);
            float rs = 0.f;
#pragma unroll
            for (int nt = 0; nt < NTK; ++nt)
#pragma unroll
                for (int cc = 0; cc < 2; ++cc) {
                    s[nt][2 * hh + cc] = exp2f(s[nt][2 * hh + cc] - mref);
                    rs += s[nt][2 * hh + cc];
                }
            l[hh] = l[hh] * alpha + mg::warp_sum<4>(rs);
            m[hh] = mnew;
#pragma unroll
            for (int nt = 0; nt < NTD; ++nt) {
                o[nt][2 * hh] *= alpha;
                o[nt][2 * hh + 1] *= alpha;
            }
        }
        // 6. V tile landed, K tile free: fetch the next K tile, then O += P V
        cp_async_wait_all();
        __syncthreads();
        if (k0 + IT < kend) {
            tile_async<D, IT, NTHR>(Ks, Kb, k0 + IT, S, d);
            cp_async_commit();
        }
        if (live) {     // (not live: P = 0)
#pragma unroll
            for (int kk = 0; kk < NTK; ++kk) {
                const FragA a = frag_from_acc(s[kk]);
#pragma unroll
                for (int nt = 0; nt < NTD; ++nt)
                    mma3(o[nt], a, load_bv<LD>(Vs, kc + kk * 8, nt * 8, g, t));
            }
        }
    }
    // 7. WQ = 2: merge the partner warp's (m, l, O) into warp h = 0 (Qs, Ks are free now)
    if (WQ == 2) {
        __syncthreads();
        float* ms = Ks;
        float* ls = Ks + 64;
        if (h == 1) {
#pragma unroll
            for (int nt = 0; nt < NTD; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e)
                    Qs[(rw + g + 8 * (e / 2)) * LD + nt * 8 + 2 * t + e % 2] = o[nt][e];
            if (t == 0)
                for (int hh = 0; hh < 2; ++hh) {
                    ms[rw + g + 8 * hh] = m[hh];
                    ls[rw + g + 8 * hh] = l[hh];
                }
        }
        __syncthreads();
        if (h == 0) {
#pragma unroll
            for (int hh = 0; hh < 2; ++hh) {
                const int r = rw + g + 8 * hh;
                const float m1 = ms[r], mnew = fmaxf(m[hh], m1);
                const float mref = (mnew == ninf) ? 0.f : mnew;
                const float a0 = exp2f(m[hh] - mref), a1 = exp2f(m1 - mref);
                l[hh] = l[hh] * a0 + ls[r] * a1;
                m[hh] = mnew;
#pragma unroll
                for (int nt = 0; nt < NTD; ++nt)
#pragma unroll
                    for (int cc = 0; cc < 2; ++cc)
                        o[nt][2 * hh + cc] = o[nt][2 * hh + cc] * a0
                                             + Qs[r * LD + nt * 8 + 2 * t + cc] * a1;
            }
        }
    }
    // 8. O = acc / l and LSE = m ln2 + ln l (l = 0: the row attended nothing: O = 0, +inf)
    if (h == 0) {
#pragma unroll
        for (int hh = 0; hh < 2; ++hh) {
            const int r = q0 + rw + g + 8 * hh;
            const float inv = l[hh] > 0.f ? 1.f / l[hh] : 0.f;
#pragma unroll
            for (int nt = 0; nt < NTD; ++nt) {
                o[nt][2 * hh] *= inv;
                o[nt][2 * hh + 1] *= inv;
            }
            if (t == 0 && r < L)
                LSE[bh * L + r] = l[hh] > 0.f ? m[hh] * LN2 + logf(l[hh]) : pos_inf();
        }
        store_strip<D>(O + bh * L * d, o, 1.f, q0 + rw, L, d, g, t);
    }
}

// ======================================================================== v2 backward (3xTF32)
// attn_bwd_tc<D, WQ, IT, BIAS, DBIAS>: dQ, dK, dV (and dS) as attn_bwd, same grid and the
// same two phases (no atomics, bitwise reproducible), 128 * WQ threads. Block n's "outer"
// tile is 64 rows (keys in phase 1, queries in phase 2); it loops over "inner" tiles of IT
// rows of the other side, warp w taking the outer strip 16 (w % 4) .. + 15 and, with WQ = 2,
// inner rows (IT / WQ) (w / 4) .. (the WQ partial sums are added in a fixed order at the end).
//   phase 1 (key tile n):   S^T = K Q^T, dP^T = V dO^T, dV += P^T dO, dK += dS^T Q
//   phase 2 (query tile n): S = Q K^T,   dP = dO V^T,   dQ += dS K
// 21 D IT / (8 WQ) mma.sync per warp per (outer, inner) pair; causal: a warp skips an inner
// tile wholly masked for its strip. Shared: outer A, B [64][D + 4], inner C, D [IT][D + 4],
// lse/delta [64]: 70 KB (D = 64, IT = 64), 101 KB (D = 128, IT = 32).
template <int D, int WQ, int IT, bool BIAS, bool DBIAS>
__global__ void __launch_bounds__(256)      // 128 * WQ threads
attn_bwd_tc(const float* __restrict__ Q, const float* __restrict__ K,
            const float* __restrict__ V, const float* __restrict__ bias,
            const long long* __restrict__ bias_off, long long bias_si, long long bias_sj,
            const float* __restrict__ dO, const float* __restrict__ LSE,
            const float* __restrict__ Delta, float* __restrict__ dQ, float* __restrict__ dK,
            float* __restrict__ dV, float* __restrict__ dB, int L, int S, int d, float scale,
            int causal) {
    constexpr int NTHR = 128 * WQ, LD = D + 4, NTC = IT / 8 / WQ, NTD = D / 8;
    extern __shared__ __align__(16) float smem[];
    float* outA = smem;                  // [64][LD]: K (phase 1), Q (phase 2)
    float* outB = outA + 64 * LD;        // [64][LD]: V, dO
    float* inC = outB + 64 * LD;         // [IT][LD]: Q, K
    float* inD = inC + IT * LD;          // [IT][LD]: dO, V
    float* lse_s = inD + IT * LD;        // [64], base 2
    float* delta_s = lse_s + 64;         // [64]
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const int rw = 16 * (warp % 4), h = warp / 4, cw = h * (IT / WQ);
    const long long bh = blockIdx.y;
    const int n0 = blockIdx.x * 64;
    const float* Qb = Q + bh * L * d;
    const float* dOb = dO + bh * L * d;
    const float* Kb = K + bh * S * d;
    const float* Vb = V + bh * S * d;
    const float* Bb = BIAS ? bias + bias_off[bh] : nullptr;
    float* dBb = DBIAS ? dB + bh * L * S : nullptr;
    const float s2 = scale * LOG2E;

    // P_ij in base 2 from the raw dot product x = q_i . k_j (0 where masked or out of range)
    auto prob = [&](float x, int i, int j, float lse2) -> float {
        if (i >= L || j >= S || (causal && j > i)) return 0.f;
        x *= s2;
        if (BIAS) x += Bb[i * bias_si + j * bias_sj] * LOG2E;
        return exp2f(x - lse2);                       // lse2 = +inf (dead row) gives 0
    };
    auto load_rowstats = [&](int q0, int rows) {
        for (int r = threadIdx.x; r < rows; r += NTHR) {
            const bool in = q0 + r < L;
            lse_s[r] = in ? LSE[bh * L + q0 + r] * LOG2E : pos_inf();
            delta_s[r] = in ? Delta[bh * L + q0 + r] : 0.f;
        }
    };

    // ---- phase 1: dK, dV of key tile n0 ----
    if (n0 < S) {
        float* Ks = outA;
        float* Vs = outB;
        float* Qs = inC;
        float* dOs = inD;
        tile_async<D, 64, NTHR>(Ks, Kb, n0, S, d);
        tile_async<D, 64, NTHR>(Vs, Vb, n0, S, d);
        float dk[NTD][4], dv[NTD][4];
#pragma unroll
        for (int nt = 0; nt < NTD; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e) dk[nt][e] = dv[nt][e] = 0.f;
        const int qstart = causal ? n0 : 0;           // earlier Q tiles see none of these keys
        for (int q0 = qstart; q0 < L; q0 += IT) {
            // this warp's queries reach one of its keys (causal: query >= key)
            const bool live = !causal || q0 + cw + IT / WQ - 1 >= n0 + rw;
            // 1a. next Q and dO tiles and their row statistics
            __syncthreads();
            tile_async<D, IT, NTHR>(Qs, Qb, q0, L, d);
            tile_async<D, IT, NTHR>(dOs, dOb, q0, L, d);
            cp_async_commit();
            load_rowstats(q0, IT);
            cp_async_wait_all();
            __syncthreads();
            // 1b. S^T = K Q^T (16 keys x IT/WQ queries), then P^T
            float st[NTC][4];
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) st[nt][e] = 0.f;
            if (live) {
#pragma unroll 2
                for (int kk = 0; kk < D / 8; ++kk) {
                    const FragA a = load_a<LD>(Ks, rw, kk * 8, g, t);
#pragma unroll
                    for (int nt = 0; nt < NTC; ++nt)
                        mma3(st[nt], a, load_bt<LD>(Qs, cw + nt * 8, kk * 8, g, t));
                }
            }
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    const int qc = cw + nt * 8 + 2 * t + e % 2;
                    st[nt][e] = prob(st[nt][e], q0 + qc, n0 + rw + g + 8 * (e / 2), lse_s[qc]);
                }
            // 1c. dV += P^T dO (k = this warp's queries)
            if (live) {
#pragma unroll
                for (int kk = 0; kk < NTC; ++kk) {
                    const FragA a = frag_from_acc(st[kk]);
#pragma unroll
                    for (int nt = 0; nt < NTD; ++nt)
                        mma3(dv[nt], a, load_bv<LD>(dOs, cw + kk * 8, nt * 8, g, t));
                }
            }
            // 1d. dP^T = V dO^T, then dS^T = P^T (dP^T - Delta) (and dB = dS)
            float dpt[NTC][4];
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) dpt[nt][e] = 0.f;
            if (live) {
#pragma unroll 2
                for (int kk = 0; kk < D / 8; ++kk) {
                    const FragA a = load_a<LD>(Vs, rw, kk * 8, g, t);
#pragma unroll
                    for (int nt = 0; nt < NTC; ++nt)
                        mma3(dpt[nt], a, load_bt<LD>(dOs, cw + nt * 8, kk * 8, g, t));
                }
            }
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    const int qc = cw + nt * 8 + 2 * t + e % 2;
                    dpt[nt][e] = st[nt][e] * (dpt[nt][e] - delta_s[qc]);
                    const int qi = q0 + qc, kj = n0 + rw + g + 8 * (e / 2);
                    if (DBIAS && qi < L && kj < S) dBb[(long long)qi * S + kj] = dpt[nt][e];
                }
            // 1e. dK += dS^T Q (times scale at the end)
            if (live) {
#pragma unroll
                for (int kk = 0; kk < NTC; ++kk) {
                    const FragA a = frag_from_acc(dpt[kk]);
#pragma unroll
                    for (int nt = 0; nt < NTD; ++nt)
                        mma3(dk[nt], a, load_bv<LD>(Qs, cw + kk * 8, nt * 8, g, t));
                }
            }
        }
        // 1f. the WQ partial sums added in order (K, V tiles are free), then stored
        cp_async_wait_all();                          // (a causal tile past L saw no loop)
        sum_partners<D, WQ>(dk, outA, rw, h, g, t);
        sum_partners<D, WQ>(dv, outB, rw, h, g, t);
        if (h == 0) {
            store_strip<D>(dK + bh * S * d, dk, scale, n0 + rw, S, d, g, t);
            store_strip<D>(dV + bh * S * d, dv, 1.f, n0 + rw, S, d, g, t);
        }
    }

    // ---- phase 2: dQ of query tile n0 ----
    if (n0 < L) {
        float* Qs = outA;
        float* dOs = outB;
        float* Ks = inC;
        float* Vs = inD;
        __syncthreads();
        tile_async<D, 64, NTHR>(Qs, Qb, n0, L, d);
        tile_async<D, 64, NTHR>(dOs, dOb, n0, L, d);
        load_rowstats(n0, 64);
        float dq[NTD][4];
#pragma unroll
        for (int nt = 0; nt < NTD; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e) dq[nt][e] = 0.f;
        const int kend = causal ? min(S, n0 + 64) : S;
        for (int k0 = 0; k0 < kend; k0 += IT) {
            // this warp's keys reach the diagonal for one of its queries
            const bool live = !causal || k0 + cw <= n0 + rw + 15;
            // 2a. next K and V tiles
            __syncthreads();
            tile_async<D, IT, NTHR>(Ks, Kb, k0, S, d);
            tile_async<D, IT, NTHR>(Vs, Vb, k0, S, d);
            cp_async_commit();
            cp_async_wait_all();
            __syncthreads();
            // 2b. S = Q K^T and dP = dO V^T (16 queries x IT/WQ keys)
            float s[NTC][4], dp[NTC][4];
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) s[nt][e] = dp[nt][e] = 0.f;
            if (live) {
#pragma unroll 2
                for (int kk = 0; kk < D / 8; ++kk) {
                    const FragA a = load_a<LD>(Qs, rw, kk * 8, g, t);
                    const FragA b = load_a<LD>(dOs, rw, kk * 8, g, t);
#pragma unroll
                    for (int nt = 0; nt < NTC; ++nt) {
                        mma3(s[nt], a, load_bt<LD>(Ks, cw + nt * 8, kk * 8, g, t));
                        mma3(dp[nt], b, load_bt<LD>(Vs, cw + nt * 8, kk * 8, g, t));
                    }
                }
            }
            // 2c. dS = P (dP - Delta)
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    const int r = rw + g + 8 * (e / 2);
                    const float p = prob(s[nt][e], n0 + r, k0 + cw + nt * 8 + 2 * t + e % 2,
                                         lse_s[r]);
                    s[nt][e] = p * (dp[nt][e] - delta_s[r]);
                }
            // 2d. dQ += dS K (times scale at the end)
            if (live) {
#pragma unroll
                for (int kk = 0; kk < NTC; ++kk) {
                    const FragA a = frag_from_acc(s[kk]);
#pragma unroll
                    for (int nt = 0; nt < NTD; ++nt)
                        mma3(dq[nt], a, load_bv<LD>(Ks, cw + kk * 8, nt * 8, g, t));
                }
            }
        }
        sum_partners<D, WQ>(dq, outA, rw, h, g, t);
        if (h == 0) store_strip<D>(dQ + bh * L * d, dq, scale, n0 + rw, L, d, g, t);
    }
}
