// attention_tiles.cuh: what both attention kernel sets share (attention_simt.cu, v1, and
// attention_tc.cu, v2): the base-2 constants, the score rule of one (batch * head) slice
// (scale, bias, masks) and the per-row statistics the backward reads. The math and the layout
// are in the attention_simt.cu header.
#pragma once
#include "common.cuh"

namespace {

constexpr float LOG2E = 1.4426950408889634f;
constexpr float LN2 = 0.6931471805599453f;

__device__ __forceinline__ float pos_inf() { return __int_as_float(0x7f800000); }

// The backward's P_ij = exp2(x * s2 + B_ij * log2(e) - lse2), recomputed from the raw dot
// product x = q_i . k_j of one slice (s2 = scale * log2(e), lse2 = LSE_i in base 2) with the
// forward's masks: 0 for keys j >= S, rows i >= L and, when causal, keys j > i. The bias is
// read through strides: B[i * si + j * sj] (BIAS only).
template <bool BIAS>
struct Prob {
    const float* B;              // this slice's bias (nullptr without BIAS)
    long long si, sj;
    int L, S, causal;
    float s2;

    __device__ __forceinline__ float operator()(float x, int i, int j, float lse2) const {
        if (i >= L || j >= S || (causal && j > i)) return 0.f;
        x *= s2;
        if (BIAS) x += B[i * si + j * sj] * LOG2E;
        return exp2f(x - lse2);                       // lse2 = +inf (dead row) gives 0
    }
};

// Prob of slice bh (both backward kernels start with it): its bias at bias_off[bh]
template <bool BIAS>
__device__ __forceinline__ Prob<BIAS> slice_prob(const float* bias, const long long* bias_off,
                                                 long long bh, long long si, long long sj,
                                                 int L, int S, int causal, float scale) {
    return Prob<BIAS>{BIAS ? bias + bias_off[bh] : nullptr, si, sj, L, S, causal,
                      scale * LOG2E};
}

// the backward's row statistics of query rows q0 .. q0 + rows - 1: lse_s = LSE in base 2
// (+inf past L: P = 0 there) and delta_s = Delta (0 past L); NTHR threads share the rows
template <int NTHR>
__device__ __forceinline__ void load_rowstats(float* lse_s, float* delta_s,
                                              const float* __restrict__ LSE,
                                              const float* __restrict__ Delta, long long bh,
                                              int L, int q0, int rows) {
    for (int r = threadIdx.x; r < rows; r += NTHR) {
        const bool in = q0 + r < L;
        lse_s[r] = in ? LSE[bh * L + q0 + r] * LOG2E : pos_inf();
        delta_s[r] = in ? Delta[bh * L + q0 + r] : 0.f;
    }
}

// the forward's row result: LSE = m ln2 + ln l in natural log (m is base 2); a row with l = 0
// attended nothing: +inf (O = 0 there, as torch's SDPA)
__device__ __forceinline__ float row_lse(float m, float l) {
    return l > 0.f ? m * LN2 + logf(l) : pos_inf();
}

}  // namespace
