// cross_entropy.cuh: the per-row pieces the cross-entropy kernels share (cross_entropy.cu,
// cross_entropy_cluster.cu, linear_cross_entropy.cu): the row's loss (row_loss) and saved
// statistics (write_row), the row's gradient formula (RowGrad, row_grad), and the helpers of
// the fused forward+gradient kernels (exp_diff, staged_exp_sum, RowSplit). The math is in the
// cross_entropy.cu header.
#pragma once
#include "common.cuh"

using mg::acc_t;
using mg::Pack;

// ---- the loss of a row ------------------------------------------------------------------------
// loss_i from the row's statistics (see the top of cross_entropy.cu): 0 when ignored, NaN for a
// target outside [0, C) that is not ignore_index. W = sum_c w_c, wx = sum_c w_c x_c (read only
// when smoothing), xt = x_t (read by the caller, any value when t is not a valid class).
template <typename A, typename T>
__device__ __forceinline__ A row_loss(long long t, long long ignore_index, int C, A xt,
                                      const T* __restrict__ weight, A eps, A W, A wx, A m, A l) {
    if (t == ignore_index) return A(0);
    if (t < 0 || t >= C) return A(0) / A(0);          // guard only: NaN, never a fault
    const A log_l = mg::log_(l);
    const A wt = weight ? mg::to_acc(weight[t]) : A(1);
    // lse - x_t as (m - x_t) + log l: no rounding of a large lse
    A li = (A(1) - eps) * wt * ((m - xt) + log_l);
    if (eps != A(0)) li += eps / A(C) * (W * log_l + (W * m - wx));
    return li;
}

// One thread writes row `row`'s results: loss_i (row_loss), the saved (m, l), and w_t (0 when
// ignored or invalid). xr is the row (x_t is read from it).
template <typename A, typename T>
__device__ __forceinline__ void write_row(long row, long rows, long long t, long long ignore_index,
                                          int C, const T* __restrict__ xr,
                                          const T* __restrict__ weight, A eps, A W, A wx, A m,
                                          A l, A* __restrict__ loss, A* __restrict__ stats,
                                          A* __restrict__ wt_out) {
    const bool valid = t != ignore_index && t >= 0 && t < C;
    loss[row] = row_loss<A, T>(t, ignore_index, C, valid ? mg::to_acc(xr[t]) : A(0), weight, eps,
                               W, wx, m, l);
    stats[row] = m;
    stats[rows + row] = l;
    wt_out[row] = valid ? (weight ? mg::to_acc(weight[t]) : A(1)) : A(0);
}

// ---- the gradient of a row --------------------------------------------------------------------
// The per-row constants of dx_c = coef (a p_c - hot [c = t] - cold w_c), p_c = exp(x_c - m) / l.
template <typename A> struct RowGrad {
    long long t;
    A m, a_l, hot, cold;      // a_l = a / l; coef is folded into a_l, hot and cold
    template <typename T>
    __device__ __forceinline__ A operator()(A x, int c, const T* __restrict__ weight,
                                            bool smooth) const {
        A d = a_l * mg::exp_(x - m);
        if (c == t) d -= hot;
        if (smooth) d -= cold * (weight ? mg::to_acc(weight[c]) : A(1));
        return d;
    }
    // the same from e = exp(x - m) already computed
    template <typename T>
    __device__ __forceinline__ A from_e(A e, int c, const T* __restrict__ weight,
                                        bool smooth) const {
        A d = a_l * e;
        if (c == t) d -= hot;
        if (smooth) d -= cold * (weight ? mg::to_acc(weight[c]) : A(1));
        return d;
    }
};

// coef (0 on ignored rows), a and the saved (m, l) -> RowGrad; W = sum_c w_c
template <typename A, typename T>
__device__ __forceinline__ RowGrad<A> row_grad(long long t, bool valid, A coef, A eps, A W, int C,
                                               const T* __restrict__ weight, A m, A l) {
    const A wt = valid ? (weight ? mg::to_acc(weight[t]) : A(1)) : A(0);
    const A a = (A(1) - eps) * wt + eps * W / A(C);
    return RowGrad<A>{t, m, coef * a / l, coef * (A(1) - eps) * wt, coef * eps / A(C)};
}

// ---- the fused forward + gradient kernels -----------------------------------------------------
// exp(a - m) for the staged pass: exp2 of a pre-scaled difference in float (one MUFU.EX2,
// about 2 ulp), exact exp in double
__device__ __forceinline__ float exp_diff(float a, float m) {
    return exp2f((a - m) * 1.4426950408889634f);
}
__device__ __forceinline__ double exp_diff(double a, double m) { return exp(a - m); }

// sum of exp(x - m) over this thread's packs p = tid, tid + nt, ... < n of a row staged in
// shared memory; with KEEP each exp is written back over its x (pass 4 reads them)
template <typename T, int VEC, bool KEEP, typename A>
__device__ __forceinline__ A staged_exp_sum(T* stage, int n, int nt, A m) {
    A l = 0;
    for (int p = threadIdx.x; p < n; p += nt) {
        Pack<T, VEC> v = mg::load_pack<T, VEC>(stage + p * VEC);
#pragma unroll
        for (int i = 0; i < VEC; ++i) {
            const A e = exp_diff(mg::to_acc(v.v[i]), m);
            l += e;
            if (KEEP) v.v[i] = e;
        }
        if (KEEP) mg::store_pack<T, VEC>(stage + p * VEC, v);
    }
    return l;
}

// A row split for 16-byte packs whatever its alignment: `head` scalars up to the first 16-byte
// boundary, `nb` packs of VEC, then `tail` scalars (x and dx rows share their alignment).
template <typename T, int VEC> struct RowSplit {
    int head, nb, tail;
    __device__ RowSplit(const T* row, int C) {
        const int mis = (int)(reinterpret_cast<unsigned long long>(row) & 15) / (int)sizeof(T);
        head = VEC == 1 ? 0 : min(C, (VEC - mis) % VEC);
        nb = (C - head) / VEC;
        tail = C - head - nb * VEC;
    }
    // the scalar column handled by thread `tid` (< head + tail), or -1
    __device__ int scalar_col(int tid, int C) const {
        return tid < head ? tid : (tid < head + tail ? C - tail + (tid - head) : -1);
    }
};
