// reduce.cu: parallel reduction, from the textbook ladder to the kernels minigrad runs.
//
// Part 1, the teaching ladder (sum, one partial per block, finished on the GPU by
// reduce_full_final; launched by minigrad/cuda/reduce.py:ladder_sum; benchmarks/gpu.py times
// them). Mark Harris, "Optimizing Parallel Reduction in CUDA" (2007) in today's terms:
//   reduce_v1_divergent<T>   sm[tid] += sm[tid + s] when tid % (2s) == 0: half the lanes of
//                            every warp idle at each step (divergence). blockDim floats of smem.
//   reduce_v2_strided<T>     the active threads are contiguous (index 2*s*tid): no divergence,
//                            but strided smem accesses hit the same banks.
//   reduce_v3_sequential<T>  sm[tid] += sm[tid + s], s halving: contiguous, conflict-free.
//   reduce_v4_shuffle<T>     grid-stride loads (many elements per thread, added while loading),
//                            then __shfl_down_sync inside each warp, 32 floats of smem per block.
//   v5 = the two-pass production path below: vectorized grid-stride partials, then one block
//        reduces the partials on the GPU (no copy to the host, no float atomics).
// Each ladder kernel reads n*s bytes and writes gridDim partials.
//
// Part 2, the production kernels (OP: 0 = sum, 1 = max (NaN propagates), 2 = logsumexp
// carried as an online (m, l) pair; A = float for __half, else T):
//   reduce_full_partial<T,OP,VEC>  out: partial state per block (pm[b], pl[b] for logsumexp).
//        256 threads, grid = min(ceil(n / 2048), 4096), fixed by n (never by the SM count),
//        grid-stride 16-byte loads, 4 in flight per thread (fold_packs). Reads n*s bytes.
//   reduce_full_final<T,OP>        one block of 1024 threads folds the partials in index order.
//   reduce_rows_warp<T,OP,VEC,GROUP>  GROUP lanes per row of a C-contiguous (rows, cols) tensor,
//        128-thread blocks, rows <= 1024 long. Reads rows*cols*s, writes rows*s bytes.
//   reduce_rows_block<T,OP,VEC>    one block per row (128..512 threads), longer rows.
//   reduce_cols<T,OP>              (outer, dim, inner) layout, one thread per (outer, inner)
//        column walking down dim (neighbouring threads read neighbouring addresses). 256 thr.
// Deterministic: every combine order is a fixed tree given the launch shape, and the launch
// shape depends only on the tensor shape. NumPy reference: minigrad/ops/reduce.py.
#include "common.cuh"

using mg::acc_t;
using mg::ML;
using mg::Pack;

// ================================================================ part 1: the ladder
template <typename T>
__global__ void reduce_v1_divergent(const T* __restrict__ x, acc_t<T>* partial, long n) {
    using A = acc_t<T>;
    extern __shared__ unsigned char raw[];
    A* sm = reinterpret_cast<A*>(raw);
    const int tid = threadIdx.x;
    const long i = (long)blockIdx.x * blockDim.x + tid;
    // 1. one element per thread into shared memory
    sm[tid] = i < n ? mg::to_acc(x[i]) : A(0);
    __syncthreads();
    // 2. tree over pairs (tid, tid + s): only threads with tid % (2s) == 0 work
    for (int s = 1; s < blockDim.x; s *= 2) {
        if (tid % (2 * s) == 0) sm[tid] += sm[tid + s];
        __syncthreads();
    }
    if (tid == 0) partial[blockIdx.x] = sm[0];
}

template <typename T>
__global__ void reduce_v2_strided(const T* __restrict__ x, acc_t<T>* partial, long n) {
    using A = acc_t<T>;
    extern __shared__ unsigned char raw[];
    A* sm = reinterpret_cast<A*>(raw);
    const int tid = threadIdx.x;
    const long i = (long)blockIdx.x * blockDim.x + tid;
    sm[tid] = i < n ? mg::to_acc(x[i]) : A(0);
    __syncthreads();
    // same tree, but thread tid works on index 2*s*tid: active threads are contiguous
    for (int s = 1; s < blockDim.x; s *= 2) {
        const int idx = 2 * s * tid;
        if (idx < blockDim.x) sm[idx] += sm[idx + s];
        __syncthreads();
    }
    if (tid == 0) partial[blockIdx.x] = sm[0];
}

template <typename T>
__global__ void reduce_v3_sequential(const T* __restrict__ x, acc_t<T>* partial, long n) {
    using A = acc_t<T>;
    extern __shared__ unsigned char raw[];
    A* sm = reinterpret_cast<A*>(raw);
    const int tid = threadIdx.x;
    const long i = (long)blockIdx.x * blockDim.x + tid;
    sm[tid] = i < n ? mg::to_acc(x[i]) : A(0);
    __syncthreads();
    // fold the upper half onto the lower half: contiguous threads, contiguous banks
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) sm[tid] += sm[tid + s];
        __syncthreads();
    }
    if (tid == 0) partial[blockIdx.x] = sm[0];
}

template <typename T>
__global__ void reduce_v4_shuffle(const T* __restrict__ x, acc_t<T>* partial, long n) {
    using A = acc_t<T>;
    __shared__ A sm[32];
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
    // 1. each thread adds many elements while loading (grid stride)
    A v = 0;
    for (long i = (long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long)gridDim.x * blockDim.x)
        v += mg::to_acc(x[i]);
    // 2. inside a warp, registers move by shuffles: lane 0 ends with the warp's sum
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (lane == 0) sm[wid] = v;
    __syncthreads();
    // 3. the first warp reduces the per-warp sums
    if (wid == 0) {
        v = lane < (int)(blockDim.x >> 5) ? sm[lane] : A(0);
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
        if (lane == 0) partial[blockIdx.x] = v;
    }
}

// ================================================================ part 2: reducer algebra
// S is the per-thread state; add folds one element, merge two states, finish gives the value.
template <typename A, int OP> struct Red;

template <typename A> struct Red<A, 0> {                     // sum
    using S = A;
    static __device__ S identity() { return A(0); }
    static __device__ void add(S& s, A x) { s += x; }
    static __device__ S merge(S a, S b) { return a + b; }
    static __device__ A finish(S s) { return s; }
    static __device__ S shfl(S s, int o) { return __shfl_xor_sync(0xffffffffu, s, o); }
    static __device__ void store(A* pm, A*, long i, S s) { pm[i] = s; }
    static __device__ S load(const A* pm, const A*, long i) { return pm[i]; }
};

template <typename A> struct Red<A, 1> {                     // max, NaN wins
    using S = A;
    static __device__ S identity() { return mg::neg_inf<A>(); }
    static __device__ void add(S& s, A x) { s = mg::max_nan(s, x); }
    static __device__ S merge(S a, S b) { return mg::max_nan(a, b); }
    static __device__ A finish(S s) { return s; }
    static __device__ S shfl(S s, int o) { return __shfl_xor_sync(0xffffffffu, s, o); }
    static __device__ void store(A* pm, A*, long i, S s) { pm[i] = s; }
    static __device__ S load(const A* pm, const A*, long i) { return pm[i]; }
};

template <typename A> struct Red<A, 2> {                     // logsumexp = m + log(l)
    using S = ML<A>;
    static __device__ S identity() { return mg::ml_identity<A>(); }
    static __device__ void add(S& s, A x) { mg::ml_add(s, x); }
    static __device__ S merge(S a, S b) { return mg::ml_merge(a, b); }
    // a +inf element makes l NaN (see ml_add); logsumexp is still +inf, as in torch
    static __device__ A finish(S s) { return s.m == -mg::neg_inf<A>() ? s.m : s.m + mg::log_(s.l); }
    static __device__ S shfl(S s, int o) {
        return {__shfl_xor_sync(0xffffffffu, s.m, o), __shfl_xor_sync(0xffffffffu, s.l, o)};
    }
    static __device__ void store(A* pm, A* pl, long i, S s) { pm[i] = s.m; pl[i] = s.l; }
    static __device__ S load(const A* pm, const A* pl, long i) { return {pm[i], pl[i]}; }
};

template <typename R, int WIDTH = 32>
__device__ __forceinline__ typename R::S warp_reduce(typename R::S s) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) s = R::merge(s, R::shfl(s, o));
    return s;
}

// Every thread returns the block's result. blockDim.x must be a multiple of 32.
template <typename R>
__device__ __forceinline__ typename R::S block_reduce(typename R::S s, typename R::S* sm) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
    s = warp_reduce<R>(s);
    __syncthreads();                                   // sm may be in use by a previous row
    if (lane == 0) sm[wid] = s;
    __syncthreads();
    return warp_reduce<R>(lane < nw ? sm[lane] : R::identity());
}

// s folded with packs start, start + stride, ... (< npacks) of x: U 16-byte loads are issued
// before their adds, so each thread keeps U loads in flight (a plain grid-stride loop keeps one,
// too few to cover DRAM latency). The fold order is fixed by (start, stride): deterministic.
template <typename R, typename T, int VEC, int U = 4>
__device__ __forceinline__ void fold_packs(typename R::S& s, const T* __restrict__ x, long npacks,
                                           long start, long stride) {
    long p = start;
    for (; p + (U - 1) * stride < npacks; p += U * stride) {
        Pack<T, VEC> v[U];
#pragma unroll
        for (int u = 0; u < U; ++u) v[u] = mg::load_pack<T, VEC>(x + (p + u * stride) * VEC);
#pragma unroll
        for (int u = 0; u < U; ++u)
#pragma unroll
            for (int i = 0; i < VEC; ++i) R::add(s, mg::to_acc(v[u].v[i]));
    }
    for (; p < npacks; p += stride) {
        const Pack<T, VEC> v = mg::load_pack<T, VEC>(x + p * VEC);
#pragma unroll
        for (int i = 0; i < VEC; ++i) R::add(s, mg::to_acc(v.v[i]));
    }
}

// ================================================================ part 2: full reductions
template <typename T, int OP, int VEC>
__global__ void __launch_bounds__(256)
reduce_full_partial(const T* __restrict__ x, acc_t<T>* pm, acc_t<T>* pl, long n) {
    using A = acc_t<T>;
    using R = Red<A, OP>;
    __shared__ typename R::S sm[32];
    const long tid = (long)blockIdx.x * blockDim.x + threadIdx.x;
    const long nthreads = (long)gridDim.x * blockDim.x;
    typename R::S s = R::identity();
    // 1. grid-stride over 16-byte packs, then the < VEC leftover elements
    const long npacks = n / VEC;
    fold_packs<R, T, VEC>(s, x, npacks, tid, nthreads);
    for (long i = npacks * VEC + tid; i < n; i += nthreads) R::add(s, mg::to_acc(x[i]));
    // 2. block tree; thread 0 stores this block's partial state
    s = block_reduce<R>(s, sm);
    if (threadIdx.x == 0) R::store(pm, pl, blockIdx.x, s);
}

template <typename T, int OP>
__global__ void __launch_bounds__(1024)
reduce_full_final(const acc_t<T>* pm, const acc_t<T>* pl, T* out, int nparts) {
    using A = acc_t<T>;
    using R = Red<A, OP>;
    __shared__ typename R::S sm[32];
    // thread t folds partials t, t + blockDim, ... in index order; then one block tree
    typename R::S s = R::identity();
    for (int i = threadIdx.x; i < nparts; i += blockDim.x) s = R::merge(s, R::load(pm, pl, i));
    s = block_reduce<R>(s, sm);
    if (threadIdx.x == 0) out[0] = mg::from_acc<T>(R::finish(s));
}

// ================================================================ part 2: along dims
template <typename T, int OP, int VEC, int GROUP>
__global__ void __launch_bounds__(128)
reduce_rows_warp(const T* __restrict__ x, T* __restrict__ out, long rows, int cols) {
    using A = acc_t<T>;
    using R = Red<A, OP>;
    const int lane = threadIdx.x % GROUP;
    // uniform trip count per warp: every lane takes part in the shuffles
    const long warp_row0 = ((long)blockIdx.x * blockDim.x + (threadIdx.x & ~31)) / GROUP;
    const long step = (long)gridDim.x * blockDim.x / GROUP;
    for (long r0 = warp_row0; r0 < rows; r0 += step) {
        const long row = r0 + (threadIdx.x & 31) / GROUP;
        typename R::S s = R::identity();
        // 1. the group's lanes stride along the row in packs
        if (row < rows) fold_packs<R, T, VEC>(s, x + row * cols, cols / VEC, lane, GROUP);
        // 2. butterfly over the group
        s = warp_reduce<R, GROUP>(s);
        if (row < rows && lane == 0) out[row] = mg::from_acc<T>(R::finish(s));
    }
}

template <typename T, int OP, int VEC>
__global__ void __launch_bounds__(1024)
reduce_rows_block(const T* __restrict__ x, T* __restrict__ out, long rows, int cols) {
    using A = acc_t<T>;
    using R = Red<A, OP>;
    __shared__ typename R::S sm[32];
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        // 1. the block strides along its row in packs
        typename R::S s = R::identity();
        fold_packs<R, T, VEC>(s, x + row * cols, cols / VEC, threadIdx.x, blockDim.x);
        // 2. block tree
        s = block_reduce<R>(s, sm);
        if (threadIdx.x == 0) out[row] = mg::from_acc<T>(R::finish(s));
    }
}

template <typename T, int OP>
__global__ void __launch_bounds__(256)
reduce_cols(const T* __restrict__ x, T* __restrict__ out, long outer, int dim, long inner) {
    using A = acc_t<T>;
    using R = Red<A, OP>;
    const long cols = outer * inner;
    for (long k = (long)blockIdx.x * blockDim.x + threadIdx.x; k < cols;
         k += (long)gridDim.x * blockDim.x) {
        const long base = (k / inner) * dim * inner + k % inner;
        // walk down the reduced dim; a warp reads 32 neighbouring addresses per step
        typename R::S s = R::identity();
        for (int d = 0; d < dim; ++d) R::add(s, mg::to_acc(x[base + (long)d * inner]));
        out[k] = mg::from_acc<T>(R::finish(s));
    }
}
