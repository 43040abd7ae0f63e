// attention_tc.cu: fused scaled-dot-product attention, float32, v2: the algorithms of
// attention_simt.cu (v1; its header has the math, the layout, the bytes and FLOPs) with every
// matrix product on tensor cores, as mma.sync TF32 in "3xTF32" (float32-grade accuracy; the
// fragment helpers and the error analysis are in attention_mma.cuh). The forward keeps the
// online (m, l) softmax of attn_fwd; the backward uses attn_bwd_delta from attention_simt.cu.
//   attn_fwd_tc<D, WQ, IT, BIAS>         as attn_fwd, S = Q K^T and O += P V on mma.sync;
//        128 * WQ threads, key tiles of IT rows.
//   attn_bwd_tc<D, WQ, IT, BIAS, DBIAS>  as attn_bwd (same grid, phases, no atomics), its four
//        products (dV += P^T dO, dP = dO V^T, dK += dS^T Q, dQ += dS K) and the recomputed
//        S on mma.sync.
//        Measured on the H100 (benchmarks/gpu.py, TFLOP/s, fwd / fwd+bwd): v1 16-21 / 14-18,
//        v2 31-45 / 27-36: 0.82-1.33x / 0.91-1.06x torch's float32 SDPA (CUTLASS, 3xTF32).
// Dispatch (minigrad/cuda/attention.py): TENSOR_CORES picks v2 (default) or v1; (WQ, IT) per D
// come from FWD_CFG / BWD_CFG (IT = 32 at D = 128 fits two blocks per SM in shared memory;
// that measured fastest there). The CPU emulator test runs these kernels too.
#include "attention_tiles.cuh"
#include "attention_mma.cuh"

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
    zero(o);
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
        mma_xyt<D, LD>(s, live, Qs, rw, Ks, kc, g, t);
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
        if (live) mma_py<LD>(o, s, Vs, kc, g, t);     // (not live: P = 0)
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
            if (t == 0 && r < L) LSE[bh * L + r] = row_lse(m[hh], l[hh]);
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
    const auto prob = slice_prob<BIAS>(bias, bias_off, bh, bias_si, bias_sj, L, S, causal, scale);
    float* dBb = DBIAS ? dB + bh * L * S : nullptr;

    // ---- phase 1: dK, dV of key tile n0 ----
    if (n0 < S) {
        float* Ks = outA;
        float* Vs = outB;
        float* Qs = inC;
        float* dOs = inD;
        tile_async<D, 64, NTHR>(Ks, Kb, n0, S, d);
        tile_async<D, 64, NTHR>(Vs, Vb, n0, S, d);
        float dk[NTD][4], dv[NTD][4];
        zero(dk);
        zero(dv);
        const int qstart = causal ? n0 : 0;           // earlier Q tiles see none of these keys
        for (int q0 = qstart; q0 < L; q0 += IT) {
            // this warp's queries reach one of its keys (causal: query >= key)
            const bool live = !causal || q0 + cw + IT / WQ - 1 >= n0 + rw;
            // 1a. next Q and dO tiles and their row statistics
            __syncthreads();
            tile_async<D, IT, NTHR>(Qs, Qb, q0, L, d);
            tile_async<D, IT, NTHR>(dOs, dOb, q0, L, d);
            cp_async_commit();
            load_rowstats<NTHR>(lse_s, delta_s, LSE, Delta, bh, L, q0, IT);
            cp_async_wait_all();
            __syncthreads();
            // 1b. S^T = K Q^T (16 keys x IT/WQ queries), then P^T
            float st[NTC][4];
            mma_xyt<D, LD>(st, live, Ks, rw, Qs, cw, g, t);
#pragma unroll
            for (int nt = 0; nt < NTC; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    const int qc = cw + nt * 8 + 2 * t + e % 2;
                    st[nt][e] = prob(st[nt][e], q0 + qc, n0 + rw + g + 8 * (e / 2), lse_s[qc]);
                }
            // 1c. dV += P^T dO (k = this warp's queries)
            if (live) mma_py<LD>(dv, st, dOs, cw, g, t);
            // 1d. dP^T = V dO^T, then dS^T = P^T (dP^T - Delta) (and dB = dS)
            float dpt[NTC][4];
            mma_xyt<D, LD>(dpt, live, Vs, rw, dOs, cw, g, t);
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
            if (live) mma_py<LD>(dk, dpt, Qs, cw, g, t);
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
        load_rowstats<NTHR>(lse_s, delta_s, LSE, Delta, bh, L, n0, 64);
        float dq[NTD][4];
        zero(dq);
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
            zero(s);
            zero(dp);
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
            if (live) mma_py<LD>(dq, s, Ks, cw, g, t);
        }
        sum_partners<D, WQ>(dq, outA, rw, h, g, t);
        if (h == 0) store_strip<D>(dQ + bh * L * d, dq, scale, n0 + rw, L, d, g, t);
    }
}

