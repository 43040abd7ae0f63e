// softmax.cu: softmax and log_softmax along one dim, forward and backward.
//
// Math (per row x of length N; A = acc type: float for half/float, double for double):
//   softmax      y_i = exp(x_i - m) / l,            m = max_j x_j, l = sum_j exp(x_j - m)
//   log_softmax  y_i = x_i - m - log(l)
//   softmax bwd  dx_i = y_i * (dy_i - sum_j dy_j * y_j)
//   log bwd      dx_i = dy_i - exp(y_i) * sum_j dy_j
// A row that is all -inf gives NaN (as torch); a NaN anywhere in a row makes the row NaN.
//
// Layout: rows kernels read x[row * cols + col] (C-contiguous (rows, cols)); VEC > 1 needs the
// base pointer 16-byte aligned and cols % VEC == 0 (checked on the host, else VEC = 1).
// The strided kernels read (outer, dim, inner) C-contiguous tensors: x[(o * dim + d) * inner + i].
//
// Kernels, in file order (launched by minigrad/cuda/softmax.py; NumPy reference:
// minigrad/ops/softmax.py; M rows of N values of s bytes):
//   softmax_naive_fwd<T,LOG>                the teaching version, not dispatched: one thread per
//        row, three plain passes (max, sum of exp, write): 4*M*N*s bytes, uncoalesced
//        (neighbouring threads read addresses N apart). 128-thread blocks, grid-stride.
//   softmax_online_fwd<T,VEC,LOG>           one 512-thread block per row, online (m, l) pass,
//        then a second read to write y: 3*M*N*s bytes (the 2nd read often hits L2). Longer rows,
//        and every long row on devices without clusters (compute capability < 9.0).
//   softmax_warp_fwd<T,VEC,CPT,GROUP,LOG>   GROUP lanes (1..32) per row, the row in registers
//        (CPT values per lane), 128-thread blocks, grid-stride over rows. 1 read + 1 write:
//        2*M*N*s bytes. For N <= 2048 (float), 1024 (double, half); beyond that the values per
//        lane cost too many registers (the measurement: benchmarks/RESULTS.md).
//   softmax_block_fwd<T,VEC,CPT,LOG>        one block (128..1024 threads) per row, row in
//        registers, block reductions through 32 floats of smem. 2*M*N*s bytes.
//        For N <= 32768 (float), 16384 (double), 4096 (half); backward 16384, 4096, 4096.
//   softmax_strided_fwd<T,LOG>              one thread per (outer, inner) column, online pass
//        down the column then a write pass (coalesced along inner); 256 threads.
//   softmax_warp_bwd / softmax_block_bwd / softmax_uncached_bwd / softmax_strided_bwd
//        the same shapes for the backward (reads y and dy, writes dx: 3*M*N*s bytes, or
//        5*M*N*s for the uncached 2-pass version). Warp for N <= 2048 (float), 512 (double),
//        1024 (half): two register rows per lane would spill beyond that (docs/kernels.md,
//        'Registers per thread').
// Shared memory: 32 (or 2*32) accumulators per block, static. No atomics: every result
// depends only on the input and the launch shape, which depends only on the tensor shape.
// Rows longer than the block kernels take go, on sm_90+, to softmax_cluster.cu: one row over
// a thread-block cluster, read once (its header has the kernels and the measurements);
// elsewhere to the online / uncached kernels here.
#include "common.cuh"

using mg::acc_t;
using mg::Pack;

// ================================================================== 1. the simplest correct kernel
// The teaching version (not dispatched by the launcher): one thread per row, three plain passes
// over the row, nothing shared between threads. Correct for any N, slow: each thread walks its
// own row, so a warp's 32 loads touch 32 different rows (uncoalesced) and the row is read 3 times.
template <typename T, bool LOG>
__global__ void __launch_bounds__(128)
softmax_naive_fwd(const T* __restrict__ x, T* __restrict__ y, long rows, int cols) {
    using A = acc_t<T>;
    for (long row = (long)blockIdx.x * blockDim.x + threadIdx.x; row < rows;
         row += (long)gridDim.x * blockDim.x) {
        const T* xr = x + row * cols;
        T* yr = y + row * cols;
        // 1. m = max_j x_j (an all -inf row keeps m = -inf; x - m is then NaN, as torch)
        A m = mg::neg_inf<A>();
        for (int c = 0; c < cols; ++c) m = mg::max_nan(m, mg::to_acc(xr[c]));
        // 2. l = sum_j exp(x_j - m)
        A l = 0;
        for (int c = 0; c < cols; ++c) l += mg::exp_(mg::to_acc(xr[c]) - m);
        // 3. write y_i = exp(x_i - m) / l, or x_i - m - log(l)
        const A log_l = mg::log_(l);
        for (int c = 0; c < cols; ++c) {
            const A z = mg::to_acc(xr[c]) - m;
            yr[c] = mg::from_acc<T>(LOG ? z - log_l : mg::exp_(z) / l);
        }
    }
}

// ================================================= 2. online one pass; rows too long for registers
template <typename T, int VEC, bool LOG>
__global__ void __launch_bounds__(1024)
softmax_online_fwd(const T* __restrict__ x, T* __restrict__ y, long rows, int cols) {
    using A = acc_t<T>;
    __shared__ A sm[32], sl[32];
    const int stride = blockDim.x * VEC;
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* xr = x + row * cols;
        // 1. one pass: running max and rescaled running sum per thread
        mg::ML<A> st = mg::ml_identity<A>();
        for (int c = threadIdx.x * VEC; c < cols; c += stride) {
            const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + c);
#pragma unroll
            for (int i = 0; i < VEC; ++i) mg::ml_add(st, mg::to_acc(v.v[i]));
        }
        // 2. merge the block's (m, l) states
        st = mg::block_ml(st, sm, sl);
        const A m = st.m, l = st.l, log_l = mg::log_(l);
        // 3. re-read the row (usually from L2) and write y
        for (int c = threadIdx.x * VEC; c < cols; c += stride) {
            const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + c);
            Pack<T, VEC> o;
#pragma unroll
            for (int i = 0; i < VEC; ++i) {
                const A a = mg::to_acc(v.v[i]);
                o.v[i] = mg::from_acc<T>(LOG ? (a - m) - log_l : mg::exp_(a - m) / l);
            }
            mg::store_pack<T, VEC>(y + row * cols + c, o);
        }
    }
}

// ========================================================= forward: warp per row, row in registers
template <typename T, int VEC, int CPT, int GROUP, bool LOG>
__global__ void __launch_bounds__(128)
softmax_warp_fwd(const T* __restrict__ x, T* __restrict__ y, long rows, int cols) {
    using A = acc_t<T>;
    constexpr int PACKS = CPT / VEC;
    const int lane = threadIdx.x % GROUP;
    // every lane of a warp runs the same number of iterations: the shuffles need all 32
    const long warp_row0 = ((long)blockIdx.x * blockDim.x + (threadIdx.x & ~31)) / GROUP;
    const long step = (long)gridDim.x * blockDim.x / GROUP;
    for (long r0 = warp_row0; r0 < rows; r0 += step) {
        const long row = r0 + (threadIdx.x & 31) / GROUP;
        const bool valid = row < rows;
        const T* xr = x + row * cols;
        A buf[CPT];
        // 1. load the row into registers, -inf past its end
#pragma unroll
        for (int p = 0; p < PACKS; ++p) {
            const int c = (p * GROUP + lane) * VEC;
            if (valid && c < cols) {
                const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + c);
#pragma unroll
                for (int i = 0; i < VEC; ++i) buf[p * VEC + i] = mg::to_acc(v.v[i]);
            } else {
#pragma unroll
                for (int i = 0; i < VEC; ++i) buf[p * VEC + i] = mg::neg_inf<A>();
            }
        }
        // 2. row max across the group's lanes
        A m = mg::neg_inf<A>();
#pragma unroll
        for (int i = 0; i < CPT; ++i) m = mg::max_nan(m, buf[i]);
        m = mg::warp_max<GROUP>(m);
        // 3. l = sum exp(x - m) (softmax keeps the exponentials in buf)
        A l = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) {
            const A e = mg::exp_(buf[i] - m);
            if (!LOG) buf[i] = e;
            l += e;
        }
        l = mg::warp_sum<GROUP>(l);
        const A log_l = mg::log_(l);   // y = (x - m) - log l: x - m is exact near the max
        // 4. write y
#pragma unroll
        for (int p = 0; p < PACKS; ++p) {
            const int c = (p * GROUP + lane) * VEC;
            if (valid && c < cols) {
                Pack<T, VEC> v;
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const A b = buf[p * VEC + i];
                    v.v[i] = mg::from_acc<T>(LOG ? (b - m) - log_l : b / l);
                }
                mg::store_pack<T, VEC>(y + row * cols + c, v);
            }
        }
    }
}

// ======================================================== forward: block per row, row in registers
template <typename T, int VEC, int CPT, bool LOG>
__global__ void __launch_bounds__(1024)
softmax_block_fwd(const T* __restrict__ x, T* __restrict__ y, long rows, int cols) {
    using A = acc_t<T>;
    auto col = [](int p) { return (p * blockDim.x + threadIdx.x) * VEC; };   // coalesced
    __shared__ A smem[32];
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* xr = x + row * cols;
        auto x_at = [&](int c) { return xr + c; };                   // column c of each row
        auto y_at = [&](int c) { return y + row * cols + c; };
        A buf[CPT];
        // 1. load: pack p of thread t starts at column (p * blockDim + t) * VEC (coalesced)
        mg::load_row<T, VEC>(buf, x_at, col, cols, mg::neg_inf<A>());
        // 2. block max
        A m = mg::neg_inf<A>();
#pragma unroll
        for (int i = 0; i < CPT; ++i) m = mg::max_nan(m, buf[i]);
        m = mg::block_max(m, smem);
        // 3. block sum of exp(x - m)
        A l = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) {
            const A e = mg::exp_(buf[i] - m);
            if (!LOG) buf[i] = e;
            l += e;
        }
        l = mg::block_sum(l, smem);
        const A log_l = mg::log_(l);   // y = (x - m) - log l: x - m is exact near the max
        // 4. write y
        mg::store_row<T, VEC, CPT>(y_at, col, cols, [&](int k) {
            const A b = buf[k];
            return LOG ? (b - m) - log_l : b / l;
        });
    }
}

// ============================================================== forward: softmax over a middle dim
template <typename T, bool LOG>
__global__ void __launch_bounds__(256)
softmax_strided_fwd(const T* __restrict__ x, T* __restrict__ y, long outer, int dim, long inner) {
    using A = acc_t<T>;
    const long cols = outer * inner;
    for (long k = (long)blockIdx.x * blockDim.x + threadIdx.x; k < cols;
         k += (long)gridDim.x * blockDim.x) {
        const long base = (k / inner) * dim * inner + k % inner;
        // 1. online (m, l) down the column; neighbouring threads read neighbouring addresses
        mg::ML<A> st = mg::ml_identity<A>();
        for (int d = 0; d < dim; ++d) mg::ml_add(st, mg::to_acc(x[base + (long)d * inner]));
        const A log_l = mg::log_(st.l);
        // 2. write the column
        for (int d = 0; d < dim; ++d) {
            const A a = mg::to_acc(x[base + (long)d * inner]);
            const A z = a - st.m;
            y[base + (long)d * inner] = mg::from_acc<T>(LOG ? z - log_l : mg::exp_(z) / st.l);
        }
    }
}

// =================================================== backward: warp per row, y and dy in registers
template <typename T, int VEC, int CPT, int GROUP, bool LOG>
__global__ void __launch_bounds__(128)
softmax_warp_bwd(const T* __restrict__ y, const T* __restrict__ dy, T* __restrict__ dx,
                 long rows, int cols) {
    using A = acc_t<T>;
    constexpr int PACKS = CPT / VEC;
    const int lane = threadIdx.x % GROUP;
    const long warp_row0 = ((long)blockIdx.x * blockDim.x + (threadIdx.x & ~31)) / GROUP;
    const long step = (long)gridDim.x * blockDim.x / GROUP;
    for (long r0 = warp_row0; r0 < rows; r0 += step) {
        const long row = r0 + (threadIdx.x & 31) / GROUP;
        const bool valid = row < rows;
        A yb[CPT], gb[CPT];
        // 1. load y and dy (0 past the end: they add nothing to the sums)
#pragma unroll
        for (int p = 0; p < PACKS; ++p) {
            const int c = (p * GROUP + lane) * VEC;
            if (valid && c < cols) {
                const Pack<T, VEC> a = mg::load_pack<T, VEC>(y + row * cols + c);
                const Pack<T, VEC> b = mg::load_pack<T, VEC>(dy + row * cols + c);
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    yb[p * VEC + i] = mg::to_acc(a.v[i]);
                    gb[p * VEC + i] = mg::to_acc(b.v[i]);
                }
            } else {
#pragma unroll
                for (int i = 0; i < VEC; ++i) yb[p * VEC + i] = gb[p * VEC + i] = A(0);
            }
        }
        // 2. s = sum dy*y (softmax) or sum dy (log_softmax)
        A s = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) s += LOG ? gb[i] : gb[i] * yb[i];
        s = mg::warp_sum<GROUP>(s);
        // 3. write dx
#pragma unroll
        for (int p = 0; p < PACKS; ++p) {
            const int c = (p * GROUP + lane) * VEC;
            if (valid && c < cols) {
                Pack<T, VEC> v;
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const A a = yb[p * VEC + i], g = gb[p * VEC + i];
                    v.v[i] = mg::from_acc<T>(LOG ? g - mg::exp_(a) * s : a * (g - s));
                }
                mg::store_pack<T, VEC>(dx + row * cols + c, v);
            }
        }
    }
}

// ================================================== backward: block per row, y and dy in registers
template <typename T, int VEC, int CPT, bool LOG>
__global__ void __launch_bounds__(1024)
softmax_block_bwd(const T* __restrict__ y, const T* __restrict__ dy, T* __restrict__ dx,
                  long rows, int cols) {
    using A = acc_t<T>;
    auto col = [](int p) { return (p * blockDim.x + threadIdx.x) * VEC; };   // coalesced
    __shared__ A smem[32];
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        auto y_at = [&](int c) { return y + row * cols + c; };      // column c of each row
        auto dy_at = [&](int c) { return dy + row * cols + c; };
        auto dx_at = [&](int c) { return dx + row * cols + c; };
        A yb[CPT], gb[CPT];
        // 1. load y and dy
        mg::load_rows<T, VEC>(yb, gb, y_at, dy_at, col, cols);
        // 2. block sum of dy*y (softmax) or dy (log_softmax)
        A s = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) s += LOG ? gb[i] : gb[i] * yb[i];
        s = mg::block_sum(s, smem);
        // 3. write dx
        mg::store_row<T, VEC, CPT>(dx_at, col, cols, [&](int k) {
            const A a = yb[k], g = gb[k];
            return LOG ? g - mg::exp_(a) * s : a * (g - s);
        });
    }
}

// ================================================ backward: rows too long for registers, two reads
template <typename T, int VEC, bool LOG>
__global__ void __launch_bounds__(1024)
softmax_uncached_bwd(const T* __restrict__ y, const T* __restrict__ dy, T* __restrict__ dx,
                     long rows, int cols) {
    using A = acc_t<T>;
    __shared__ A smem[32];
    const int stride = blockDim.x * VEC;
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        const long base = row * cols;
        // 1. s = sum dy*y (softmax) or sum dy (log_softmax)
        A s = 0;
        for (int c = threadIdx.x * VEC; c < cols; c += stride) {
            const Pack<T, VEC> b = mg::load_pack<T, VEC>(dy + base + c);
            if (LOG) {
#pragma unroll
                for (int i = 0; i < VEC; ++i) s += mg::to_acc(b.v[i]);
            } else {
                const Pack<T, VEC> a = mg::load_pack<T, VEC>(y + base + c);
#pragma unroll
                for (int i = 0; i < VEC; ++i) s += mg::to_acc(b.v[i]) * mg::to_acc(a.v[i]);
            }
        }
        s = mg::block_sum(s, smem);
        // 2. re-read y and dy, write dx
        for (int c = threadIdx.x * VEC; c < cols; c += stride) {
            const Pack<T, VEC> a = mg::load_pack<T, VEC>(y + base + c);
            const Pack<T, VEC> b = mg::load_pack<T, VEC>(dy + base + c);
            Pack<T, VEC> o;
#pragma unroll
            for (int i = 0; i < VEC; ++i) {
                const A ya = mg::to_acc(a.v[i]), g = mg::to_acc(b.v[i]);
                o.v[i] = mg::from_acc<T>(LOG ? g - mg::exp_(ya) * s : ya * (g - s));
            }
            mg::store_pack<T, VEC>(dx + base + c, o);
        }
    }
}

// ============================================================= backward: softmax over a middle dim
template <typename T, bool LOG>
__global__ void __launch_bounds__(256)
softmax_strided_bwd(const T* __restrict__ y, const T* __restrict__ dy, T* __restrict__ dx,
                    long outer, int dim, long inner) {
    using A = acc_t<T>;
    const long cols = outer * inner;
    for (long k = (long)blockIdx.x * blockDim.x + threadIdx.x; k < cols;
         k += (long)gridDim.x * blockDim.x) {
        const long base = (k / inner) * dim * inner + k % inner;
        // 1. s = sum dy*y or sum dy down the column
        A s = 0;
        for (int d = 0; d < dim; ++d) {
            const long j = base + (long)d * inner;
            s += LOG ? mg::to_acc(dy[j]) : mg::to_acc(dy[j]) * mg::to_acc(y[j]);
        }
        // 2. write dx
        for (int d = 0; d < dim; ++d) {
            const long j = base + (long)d * inner;
            const A a = mg::to_acc(y[j]), g = mg::to_acc(dy[j]);
            dx[j] = mg::from_acc<T>(LOG ? g - mg::exp_(a) * s : a * (g - s));
        }
    }
}
