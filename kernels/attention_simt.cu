// attention_simt.cu: fused scaled-dot-product attention, flash style, float32 (FlashAttention-2
// forward, Triton-tutorial backward), v1: every product as plain FMAs (the readable version).
// The L x S score matrix never reaches global memory. v2, the same algorithms on tensor cores,
// is attention_tc.cu; what both share is in attention_tiles.cuh.
//
// Math (one (batch*head) slice; scale s; bias B optional, -inf entries mask; causal: key j > i
// masked):
//   S = Q K^T s + B                 P = softmax(S) row-wise      O = P V
//   LSE_i = log sum_j exp(S_ij)     (saved by the forward: P_ij = exp(S_ij - LSE_i) in backward)
//   Delta_i = sum_c dO_ic O_ic      (= sum_j P_ij dP_ij)
//   dP = dO V^T    dS = P * (dP - Delta)    dV = P^T dO    dK = s dS^T Q    dQ = s dS K
//   dB = dS (written only when the bias needs a gradient; the host sums it to B's shape)
// A row with no finite score (everything masked) gets O = 0 and LSE = +inf, as torch's SDPA;
// exp(S - LSE) is then 0 in the backward, so its gradients are 0 too.
// The softmax runs in base 2: x2 = x * log2(e), exp2f(x2 - m2) (one FFMA folded into the scale).
// The forward is already the online (one-pass) softmax: a running (m, l) per row, O rescaled
// by exp2(m - m') whenever a key tile raises the row max.
//
// Layout: Q (BH, L, d), K and V (BH, S, d), O and dQ/dK/dV alike, all C-contiguous float32,
// d <= D (tiles are zero-padded to D columns in shared memory). LSE and Delta (BH, L).
// The bias is read through strides: B[bias_off[bh] + i * bias_si + j * bias_sj] (elements), so
// any broadcast view of a (..., L, S) mask works without copying it. dB is (BH, L, S).
//
// Kernels (launched by minigrad/cuda/attention.py; NumPy reference: FlashAttention.forward and
// FlashAttentionBackward.forward in minigrad/ops/attention.py; the CPU emulator test runs them):
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
//        bytes read per slice (memory bound). v2 uses it too.
//   attn_bwd<D, BIAS, DBIAS>     grid (max(ceil(S/64), ceil(L/64)), BH), 256 threads. Block n runs
//        phase 1: dK, dV of K/V tile n, looping over the Q tiles that can see it (P recomputed
//        from LSE), then phase 2: dQ of Q tile n, looping over K/V tiles. No atomics: every
//        output element is written by exactly one block, so results are bitwise reproducible
//        (Triton's fused-attention tutorial layout; QK^T is recomputed twice).
//        Shared: Qs, dOs, Ks, Vs [64][D+1], Ps [64][65], lse/delta [64]: 84 KB (D=64),
//        149 KB (D=128). FLOPs: 2.5x the forward's
//        (docs/kernels.md, 'Counting bytes and FLOPs').
//        Measured on the H100 (benchmarks/gpu.py, TFLOP/s, fwd / fwd+bwd): 16-21 / 14-18
//        (v2: 31-45 / 27-36).
// Dispatch (minigrad/cuda/attention.py): D = the smallest of 32, 64, 128 that holds d; bigger
// heads, dropout and other dtypes take the reference path (ops/attention.py: fused_unsupported).
// TENSOR_CORES picks v2 (default) or v1.
#include "attention_tiles.cuh"

namespace {

constexpr int BR = 64;          // query rows per tile
constexpr int BC = 64;          // key rows per tile
constexpr int NT = 256;         // threads per block (16 x 16)
constexpr int PS = BC + 1;      // row stride of the P tile

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

// the 4 x 4 micro-tile of thread (ty, tx) (rows ty + 16i, cols tx + 16j) into the P tile
__device__ __forceinline__ void store_p(float* Ps, const float (&s)[4][4], int ty, int tx) {
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) Ps[(ty + 16 * i) * PS + tx + 16 * j] = s[i][j];
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
        store_p(Ps, s, ty, tx);
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
        if (tx == 0 && r < L) LSE[bh * L + r] = row_lse(m[i], l[i]);
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
    const auto prob = slice_prob<BIAS>(bias, bias_off, bh, bias_si, bias_sj, L, S, causal, scale);
    float* dBb = DBIAS ? dB + bh * L * S : nullptr;

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
            load_rowstats<NT>(lse_s, delta_s, LSE, Delta, bh, L, q0, 64);
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
            store_p(Ps, st, ty, tx);
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
        load_rowstats<NT>(lse_s, delta_s, LSE, Delta, bh, L, n0, 64);
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
