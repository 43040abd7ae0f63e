// common.cuh: the pieces every minigrad kernel shares, written once.
//
//   acc_t<T>            accumulation type: float for __half, T itself for float/double
//   to_acc / from_acc   conversions between storage and accumulation types
//   neg_inf<A>()        -inf without <math.h> (NVRTC has no INFINITY)
//   max_nan(a, b)       max that propagates NaN (like torch.amax and numpy.max)
//   exp_ / log_         float -> expf/logf, double -> exp/log (exact, no fast-math)
//   Pack<T, N>          N elements loaded or stored with one 16-byte (or smaller) access
//   load_row/store_row  a thread's packs of a row to and from registers (block, cluster kernels)
//   warp_sum/warp_max   butterfly (__shfl_xor_sync) over WIDTH lanes: every lane gets the result
//   block_sum/block_max warp results through smem[32], re-reduced by every warp: all threads
//                       get the result; a __syncthreads() *before* writing smem lets two
//                       block reductions run back to back (max, then sum) without a race
//   ML<A>               online softmax state (running max m, running sum l of exp(x - m)),
//                       Milakov & Gimelshein 2018: merge(a, b) rescales both to the larger max
//
// Everything is in namespace mg and header-only; kernels include it as "common.cuh".
#pragma once
#include <cuda_fp16.h>

namespace mg {

// ---- types ----------------------------------------------------------------------------------
template <typename T> struct AccT { using type = T; };
template <> struct AccT<__half> { using type = float; };
template <typename T> using acc_t = typename AccT<T>::type;

__device__ __forceinline__ float to_acc(__half x) { return __half2float(x); }
__device__ __forceinline__ float to_acc(float x) { return x; }
__device__ __forceinline__ double to_acc(double x) { return x; }

template <typename T> __device__ __forceinline__ T from_acc(acc_t<T> x) { return x; }
template <> __device__ __forceinline__ __half from_acc<__half>(float x) {
    return __float2half_rn(x);
}

template <typename A> __device__ __forceinline__ A neg_inf();
template <> __device__ __forceinline__ float neg_inf<float>() { return __int_as_float(0xff800000); }
template <> __device__ __forceinline__ double neg_inf<double>() {
    return __longlong_as_double(0xfff0000000000000LL);
}

// NaN wins: (a > b) is false for NaN, so test a != a explicitly.
template <typename A> __device__ __forceinline__ A max_nan(A a, A b) {
    return (a > b || a != a) ? a : b;
}

__device__ __forceinline__ float exp_(float x) { return expf(x); }
__device__ __forceinline__ double exp_(double x) { return exp(x); }
__device__ __forceinline__ float log_(float x) { return logf(x); }
__device__ __forceinline__ double log_(double x) { return log(x); }

// ---- vector access --------------------------------------------------------------------------
// Callers guarantee the address is a multiple of sizeof(Pack) (host checks pointer and stride).
template <typename T, int N> struct alignas(sizeof(T) * N) Pack { T v[N]; };

template <typename T, int N>
__device__ __forceinline__ Pack<T, N> load_pack(const T* p) {
    return *reinterpret_cast<const Pack<T, N>*>(p);
}
template <typename T, int N>
__device__ __forceinline__ void store_pack(T* p, const Pack<T, N>& v) {
    *reinterpret_cast<Pack<T, N>*>(p) = v;
}

// ---- a row held in registers ----------------------------------------------------------------
// The block- and cluster-per-row kernels hold CPT values of a row per thread, as CPT / VEC
// packs: pack p starts at column col(p) (e.g. (p * blockDim.x + threadIdx.x) * VEC) and
// belongs to the row when col(p) < end; at(c) is the address of column c. load_row fills the
// packs past the end with `fill`; store_row writes value(k) (in T) for each value k = p * VEC + i
// of the packs that belong to the row.
template <typename T, int VEC, int CPT, typename A, typename At, typename Col>
__device__ __forceinline__ void load_row(A (&buf)[CPT], At at, Col col, int end, A fill) {
#pragma unroll
    for (int p = 0; p < CPT / VEC; ++p) {
        const int c = col(p);
        if (c < end) {
            const Pack<T, VEC> v = load_pack<T, VEC>(at(c));
#pragma unroll
            for (int i = 0; i < VEC; ++i) buf[p * VEC + i] = to_acc(v.v[i]);
        } else {
#pragma unroll
            for (int i = 0; i < VEC; ++i) buf[p * VEC + i] = fill;
        }
    }
}

// load_row of two rows at once (y and dy: a_at, b_at), the packs past the end filled with 0
template <typename T, int VEC, int CPT, typename A, typename AtA, typename AtB, typename Col>
__device__ __forceinline__ void load_rows(A (&a)[CPT], A (&b)[CPT], AtA a_at, AtB b_at, Col col,
                                          int end) {
#pragma unroll
    for (int p = 0; p < CPT / VEC; ++p) {
        const int c = col(p);
        if (c < end) {
            const Pack<T, VEC> u = load_pack<T, VEC>(a_at(c));
            const Pack<T, VEC> v = load_pack<T, VEC>(b_at(c));
#pragma unroll
            for (int i = 0; i < VEC; ++i) {
                a[p * VEC + i] = to_acc(u.v[i]);
                b[p * VEC + i] = to_acc(v.v[i]);
            }
        } else {
#pragma unroll
            for (int i = 0; i < VEC; ++i) a[p * VEC + i] = b[p * VEC + i] = A(0);
        }
    }
}

template <typename T, int VEC, int CPT, typename At, typename Col, typename F>
__device__ __forceinline__ void store_row(At at, Col col, int end, F value) {
#pragma unroll
    for (int p = 0; p < CPT / VEC; ++p) {
        const int c = col(p);
        if (c < end) {
            Pack<T, VEC> v;
#pragma unroll
            for (int i = 0; i < VEC; ++i) v.v[i] = from_acc<T>(value(p * VEC + i));
            store_pack<T, VEC>(at(c), v);
        }
    }
}

// ---- warp and block reductions ---------------------------------------------------------------
template <int WIDTH = 32, typename A> __device__ __forceinline__ A warp_sum(A v) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

template <int WIDTH = 32, typename A> __device__ __forceinline__ A warp_max(A v) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) v = max_nan(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// blockDim.x must be a multiple of 32 (all launchers use 128..1024 threads).
template <typename A> __device__ __forceinline__ A block_sum(A v, A* smem) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();                       // smem may still be read by a previous reduction
    if (lane == 0) smem[wid] = v;
    __syncthreads();
    return warp_sum(lane < nw ? smem[lane] : A(0));
}

template <typename A> __device__ __forceinline__ A block_max(A v, A* smem) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) smem[wid] = v;
    __syncthreads();
    return warp_max(lane < nw ? smem[lane] : neg_inf<A>());
}

// ---- online softmax state -------------------------------------------------------------------
template <typename A> struct ML {
    A m, l;   // running max, running sum of exp(x - m)
};

template <typename A> __device__ __forceinline__ ML<A> ml_identity() {
    return {neg_inf<A>(), A(0)};
}

// Add one element, with the same special values as the 3-pass form exp(x - max) / sum:
// a NaN or a +inf makes l NaN (exp(inf - inf) = NaN); -inf elements add 0 (an all -inf row
// keeps l = 0, so softmax gives 0/0 = NaN and logsumexp gives -inf).
template <typename A> __device__ __forceinline__ void ml_add(ML<A>& s, A x) {
    if (x > s.m || x != x) {               // a new max; NaN sticks in m so merges see it
        s.l = s.l * exp_(s.m - x) + exp_(x - x);   // exp(x - x): 1, NaN for x = +inf or NaN
        s.m = x;
    } else if (x != neg_inf<A>()) {
        s.l += exp_(x - s.m);              // x == m == +inf gives NaN here, as it should
    }
}

// Merge two states; a side whose max equals the new max keeps its l unscaled (guards -inf).
template <typename A> __device__ __forceinline__ ML<A> ml_merge(ML<A> a, ML<A> b) {
    const A m = max_nan(a.m, b.m);
    const A la = (a.m == m) ? a.l : a.l * exp_(a.m - m);
    const A lb = (b.m == m) ? b.l : b.l * exp_(b.m - m);
    return {m, la + lb};
}

template <int WIDTH = 32, typename A> __device__ __forceinline__ ML<A> warp_ml(ML<A> s) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) {
        ML<A> t = {__shfl_xor_sync(0xffffffffu, s.m, o), __shfl_xor_sync(0xffffffffu, s.l, o)};
        s = ml_merge(s, t);
    }
    return s;
}

template <typename A> __device__ __forceinline__ ML<A> block_ml(ML<A> s, A* sm, A* sl) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
    s = warp_ml(s);
    __syncthreads();
    if (lane == 0) { sm[wid] = s.m; sl[wid] = s.l; }
    __syncthreads();
    ML<A> t = lane < nw ? ML<A>{sm[lane], sl[lane]} : ml_identity<A>();
    return warp_ml(t);
}

}  // namespace mg
