// softmax_cluster.cu: softmax and log_softmax of long rows on sm_90+, one row over a
// thread-block cluster, so the row is read once from DRAM (softmax.cu, whose header has the
// math and the layout, reads rows too long for one block twice).
//
// Kernels (launched by minigrad/cuda/softmax.py when loader.clusters_available(); NumPy
// reference: minigrad/ops/softmax.py; M rows of N values of s bytes):
//   softmax_cluster_fwd<T,VEC,CPT,CLUSTER,LOG>   one thread-block cluster of CLUSTER (2..8)
//        blocks per row; block r holds columns [r*S, (r+1)*S) of the row
//        (S = ceil(N / CLUSTER) rounded up to VEC) in registers (CPT values per thread,
//        128..1024 threads). Each block reduces its slice to (m_r, l_r), publishes the pair in
//        static smem, and every block merges all CLUSTER pairs through distributed shared
//        memory in one fixed order, so all blocks get the same (m, l). 1 read + 1 write:
//        2*M*N*s bytes. grid = CLUSTER * min(M, 2^20 / CLUSTER) (a multiple of the cluster
//        size, as __cluster_dims__ requires), grid-stride over rows per cluster. Unaligned
//        rows (VEC = 1) and rows beyond 64 KB per block, up to 8*1024*CPT_max values (float:
//        262144).
//   softmax_cluster_smem_fwd<T,VEC,CLUSTER,LOG>   the same with the slice (at most 64 KB)
//        mostly in shared memory: 4 packs per thread in registers, the rest in dynamic shared
//        memory (S*s - 16 KB bytes, at most 48 KB), copied in with cp.async in two commit
//        groups. 256 threads, 64 registers: 4 blocks per SM. Forward rows longer than the
//        block kernel takes, 16-byte packs only (float: N <= 131072).
//   softmax_cluster_bwd<T,VEC,CPT,CLUSTER,LOG>   y and dy in registers (CPT values of each per
//        thread, 128..1024 threads), one partial sum per block exchanged (sum dy*y, or sum
//        dy); reads y and dy, writes dx: 3*M*N*s bytes. Rows beyond the block kernel up to
//        8*1024*CPT_max (float: 131072).
// Shared memory: 32 (or 2*32) accumulators per block, static, + 1-2 for the cluster exchange
// (+ the slice for the smem forward). No atomics: the merge order is fixed.
//
// Why clusters: a long row (N = 131072 floats is 512 KB) no longer stays in L2 between the
// online kernel's two reads, so its second read comes from DRAM; split over CLUSTER SMs the
// row stays on chip and takes 2 passes instead of 3. The H100 measurements behind these
// choices (variants, threads per block, persistent grids): benchmarks/RESULTS.md, "softmax.cu:
// notes moved from the kernel header".
// Only where clusters exist (sm_90+, nvcc/NVRTC, MG_HAS_CLUSTERS): the CPU emulator and older
// GPUs never see these kernels; the pattern they follow is described in cluster.cuh.
#include "common.cuh"
#include "cluster.cuh"

using mg::acc_t;
using mg::Pack;

#if defined(MG_HAS_CLUSTERS)
// ==================================================================== forward, slice in registers
template <typename T, int VEC, int CPT, int CLUSTER, bool LOG>
__global__ void __cluster_dims__(CLUSTER, 1, 1) __launch_bounds__(1024)
softmax_cluster_fwd(const T* __restrict__ x, T* __restrict__ y, long rows, int cols) {
    using A = acc_t<T>;
    const cg::cluster_group cluster = cg::this_cluster();
    __shared__ A smem[32];
    __shared__ A part[2];                          // this block's (m_r, l_r), read cluster-wide
    const int rank = (int)cluster.block_rank(), lane = threadIdx.x & 31;
    const int slice = (cols + CLUSTER * VEC - 1) / (CLUSTER * VEC) * VEC;
    const int c0 = rank * slice, c1 = min(cols, c0 + slice);   // this block's columns
    auto col = [&](int p) { return c0 + (p * blockDim.x + threadIdx.x) * VEC; };
    cluster.barrier_arrive();                      // primes the split barrier of step 5
    for (long row = blockIdx.x / CLUSTER; row < rows; row += gridDim.x / CLUSTER) {
        const T* xr = x + row * cols;
        auto x_at = [&](int c) { return xr + c; };                   // column c of each row
        auto y_at = [&](int c) { return y + row * cols + c; };
        A buf[CPT];
        // 1. load this block's slice into registers (pack p of thread t at c0 + (p*blockDim+t)*VEC)
        mg::load_row<T, VEC>(buf, x_at, col, c1, mg::neg_inf<A>());
        // 2. the slice's max m_r and l_r = sum exp(x - m_r) (block reductions)
        A m = mg::neg_inf<A>();
#pragma unroll
        for (int i = 0; i < CPT; ++i) m = mg::max_nan(m, buf[i]);
        m = mg::block_max(m, smem);
        const A ms = (m == mg::neg_inf<A>()) ? A(0) : m;   // an all -inf slice: l_r = 0, not NaN
        A l = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) {
            const A e = mg::exp_(buf[i] - ms);
            if (!LOG) buf[i] = e;                  // softmax keeps exp(x - m_r)
            l += e;
        }
        l = mg::block_sum(l, smem);
        // 3. publish (m_r, l_r) once every block has read the previous row's pair, then sync
        cluster.barrier_wait();
        if (threadIdx.x == 0) { part[0] = m; part[1] = l; }
        cluster.sync();
        // 4. lane r of every warp reads block r's pair (distributed shared memory); the
        //    butterfly merge gives all lanes, warps and blocks the same (m, l), bit for bit
        mg::ML<A> st = mg::ml_identity<A>();
        if (lane < CLUSTER) {
            st.m = *cluster.map_shared_rank(&part[0], lane);
            st.l = *cluster.map_shared_rank(&part[1], lane);
        }
        st = mg::warp_ml(st);
        // 5. done reading other blocks' smem: arrive now, wait before the next publish / exit
        cluster.barrier_arrive();
        // softmax: y = exp(x - m_r) * (exp(m_r - m) / l); an all -inf slice writes 0 / l
        // (0, or NaN when the whole row is -inf: l = 0)
        const A scale = (m == mg::neg_inf<A>()) ? A(0) / st.l : mg::exp_(ms - st.m) / st.l;
        m = st.m;
        const A log_l = mg::log_(st.l);   // y = (x - m) - log l: x - m is exact near the max
        // 6. write y from registers
        mg::store_row<T, VEC, CPT>(y_at, col, c1, [&](int k) {
            const A b = buf[k];
            return LOG ? (b - m) - log_l : b * scale;
        });
    }
    cluster.barrier_wait();                        // no block exits while others read its part
}

// ================================================================ forward, slice in shared memory
// The same cluster forward with most of the slice in dynamic shared memory: each thread keeps
// R = 4 16-byte packs in registers (the slice's first 4 * blockDim packs) and copies
// the rest of its packs to shared memory with cp.async in two commit groups, folding the first
// group while the second lands. A 64 KB slice then takes 48 KB of shared memory, so 4 blocks
// share an SM (256 KB of rows in flight) instead of 3. Each thread folds and writes only the
// packs it copied itself (no block sync between the copy and the fold), and softmax keeps the
// exps in place: y = e * exp(m_chunk - m) / l, one exp per element.
template <int N> __device__ __forceinline__ void cp_async_wait_group() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
__device__ __forceinline__ void cp_async_commit() {
    asm volatile("cp.async.commit_group;\n" ::: "memory");
}

template <typename T, int VEC, int CLUSTER, bool LOG>
__global__ void __cluster_dims__(CLUSTER, 1, 1) __launch_bounds__(256, 4)
softmax_cluster_smem_fwd(const T* __restrict__ x, T* __restrict__ y, long rows, int cols) {
    static_assert(VEC * sizeof(T) == 16, "16-byte packs only (cp.async.cg)");
    using A = acc_t<T>;
    constexpr int R = 4;             // packs per thread in registers (softmax.py SMEM_REG_PACKS)
    constexpr int S = 2;             // cp.async commit groups
    constexpr bool KEEP = !LOG && sizeof(T) == sizeof(A);   // exp fits back in place
    extern __shared__ __align__(16) unsigned char dyn_smem[];
    T* xs = reinterpret_cast<T*>(dyn_smem);        // the slice's packs from R * blockDim on
    const cg::cluster_group cluster = cg::this_cluster();
    __shared__ A sm[32], sl[32];
    __shared__ A part[2];                          // this block's (m_r, l_r), read cluster-wide
    const int rank = (int)cluster.block_rank(), lane = threadIdx.x & 31, nt = blockDim.x;
    const int tid = threadIdx.x;
    const int slice = (cols + CLUSTER * VEC - 1) / (CLUSTER * VEC) * VEC;
    const int c0 = rank * slice, n = max(0, min(cols - c0, slice));
    const int npk = n / VEC;                                        // packs held here
    const int first = R * nt;                                       // first pack in smem
    const int per = npk > first ? (npk - first + nt - 1) / nt : 0;  // smem packs per thread
    // this thread's smem packs of stage s: j in [s * per / S, (s + 1) * per / S), pack
    // p = first + j * nt + tid of the slice, at xs[(p - first) * VEC]
    cluster.barrier_arrive();                      // primes the split barrier of step 5
    for (long row = blockIdx.x / CLUSTER; row < rows; row += gridDim.x / CLUSTER) {
        const T* xr = x + row * cols + c0;
        // 1. issue the copies (S commit groups), then load the register packs
#pragma unroll
        for (int s = 0; s < S; ++s) {
            const int j0 = s * per / S, j1 = (s + 1) * per / S;
            for (int j = j0; j < j1; ++j) {
                const int p = first + j * nt + tid;
                if (p < npk) mg::cp_async16(xs + (p - first) * VEC, xr + p * VEC);
            }
            cp_async_commit();
        }
        A rb[R * VEC];
#pragma unroll
        for (int j = 0; j < R; ++j) {
            const int p = j * nt + tid;
            if (p < npk) {
                const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + p * VEC);
#pragma unroll
                for (int i = 0; i < VEC; ++i) rb[j * VEC + i] = mg::to_acc(v.v[i]);
            } else {
#pragma unroll
                for (int i = 0; i < VEC; ++i) rb[j * VEC + i] = mg::neg_inf<A>();
            }
        }
        // 2. fold the register chunk, then each smem stage as it lands, into (m, l); each
        //    chunk's max is kept (mc[]) to rescale its kept exps at the write
        mg::ML<A> st;
        A mc[S + 1];
        {
            A cm = mg::neg_inf<A>();
#pragma unroll
            for (int i = 0; i < R * VEC; ++i) cm = mg::max_nan(cm, rb[i]);
            const A cs = cm == mg::neg_inf<A>() ? A(0) : cm;   // all -inf: l = 0, not NaN
            A cl = 0;
#pragma unroll
            for (int i = 0; i < R * VEC; ++i) {
                const A e = mg::exp_(rb[i] - cs);
                if (KEEP) rb[i] = e;
                cl += e;
            }
            mc[S] = cm;
            st = {cm, cl};
        }
#pragma unroll
        for (int s = 0; s < S; ++s) {
            if (s == 0) cp_async_wait_group<S - 1>();  // this thread's stage-0 copies landed
            else cp_async_wait_group<0>();
            const int j0 = s * per / S, j1 = (s + 1) * per / S;
            A cm = mg::neg_inf<A>();
            for (int j = j0; j < j1; ++j) {
                const int p = first + j * nt + tid;
                if (p < npk) {
                    const Pack<T, VEC> v = mg::load_pack<T, VEC>(xs + (p - first) * VEC);
#pragma unroll
                    for (int i = 0; i < VEC; ++i) cm = mg::max_nan(cm, mg::to_acc(v.v[i]));
                }
            }
            const A cs = cm == mg::neg_inf<A>() ? A(0) : cm;
            A cl = 0;
            for (int j = j0; j < j1; ++j) {
                const int p = first + j * nt + tid;
                if (p < npk) {
                    Pack<T, VEC> v = mg::load_pack<T, VEC>(xs + (p - first) * VEC);
#pragma unroll
                    for (int i = 0; i < VEC; ++i) {
                        const A e = mg::exp_(mg::to_acc(v.v[i]) - cs);
                        cl += e;
                        if (KEEP) v.v[i] = e;
                    }
                    if (KEEP) mg::store_pack<T, VEC>(xs + (p - first) * VEC, v);
                }
            }
            mc[s] = cm;
            st = mg::ml_merge(st, mg::ML<A>{cm, cl});
        }
        st = mg::block_ml(st, sm, sl);
        // 3. publish (m_r, l_r) once every block has read the previous row's pair, then sync
        cluster.barrier_wait();
        if (tid == 0) { part[0] = st.m; part[1] = st.l; }
        cluster.sync();
        // 4. lane r of every warp reads block r's pair; the same merge order everywhere
        mg::ML<A> g = mg::ml_identity<A>();
        if (lane < CLUSTER) {
            g.m = *cluster.map_shared_rank(&part[0], lane);
            g.l = *cluster.map_shared_rank(&part[1], lane);
        }
        g = mg::warp_ml(g);
        // 5. done reading other blocks' smem: arrive now, wait before the next publish / exit
        cluster.barrier_arrive();
        const A m = g.m, inv_l = A(1) / g.l, log_l = mg::log_(g.l);
        // a kept exp e of a chunk with max c gives y = e * exp(c - m) / l; an all -inf chunk
        // gives 0 / l (0, or NaN when the whole row is -inf: l = 0), never 0 * inf
        auto scale = [&](A c) {
            return c == mg::neg_inf<A>() ? A(0) * inv_l : mg::exp_(c - m) * inv_l;
        };
        T* yr = y + row * cols + c0;
        // 6. write y: the register packs, then this thread's smem packs
#pragma unroll
        for (int j = 0; j < R; ++j) {
            const int p = j * nt + tid;
            if (p < npk) {
                const A sc = scale(mc[S]);
                Pack<T, VEC> o;
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const A b = rb[j * VEC + i];
                    o.v[i] = mg::from_acc<T>(LOG ? (b - m) - log_l
                                                 : (KEEP ? b * sc : mg::exp_(b - m) * inv_l));
                }
                mg::store_pack<T, VEC>(yr + p * VEC, o);
            }
        }
#pragma unroll
        for (int s = 0; s < S; ++s) {
            const int j0 = s * per / S, j1 = (s + 1) * per / S;
            const A sc = scale(mc[s]);
            for (int j = j0; j < j1; ++j) {
                const int p = first + j * nt + tid;
                if (p < npk) {
                    const Pack<T, VEC> v = mg::load_pack<T, VEC>(xs + (p - first) * VEC);
                    Pack<T, VEC> o;
#pragma unroll
                    for (int i = 0; i < VEC; ++i) {
                        const A a = mg::to_acc(v.v[i]);
                        o.v[i] = mg::from_acc<T>(LOG ? (a - m) - log_l
                                                     : (KEEP ? a * sc : mg::exp_(a - m) * inv_l));
                    }
                    mg::store_pack<T, VEC>(yr + p * VEC, o);
                }
            }
        }
        // the next row's copies overwrite only this thread's own packs: no block sync needed
    }
    cluster.barrier_wait();                        // no block exits while others read its part
}

// ======================================================================================= backward
template <typename T, int VEC, int CPT, int CLUSTER, bool LOG>
__global__ void __cluster_dims__(CLUSTER, 1, 1) __launch_bounds__(1024)
softmax_cluster_bwd(const T* __restrict__ y, const T* __restrict__ dy, T* __restrict__ dx,
                    long rows, int cols) {
    using A = acc_t<T>;
    const cg::cluster_group cluster = cg::this_cluster();
    __shared__ A smem[32];
    __shared__ A part[1];                          // this block's partial sum, read cluster-wide
    const int rank = (int)cluster.block_rank(), lane = threadIdx.x & 31;
    const int slice = (cols + CLUSTER * VEC - 1) / (CLUSTER * VEC) * VEC;
    const int c0 = rank * slice, c1 = min(cols, c0 + slice);   // this block's columns
    auto col = [&](int p) { return c0 + (p * blockDim.x + threadIdx.x) * VEC; };
    cluster.barrier_arrive();                      // primes the split barrier of step 5
    for (long row = blockIdx.x / CLUSTER; row < rows; row += gridDim.x / CLUSTER) {
        auto y_at = [&](int c) { return y + row * cols + c; };      // column c of each row
        auto dy_at = [&](int c) { return dy + row * cols + c; };
        auto dx_at = [&](int c) { return dx + row * cols + c; };
        A yb[CPT], gb[CPT];
        // 1. load this block's slice of y and dy (0 past its end: adds nothing to the sums)
        mg::load_rows<T, VEC>(yb, gb, y_at, dy_at, col, c1);
        // 2. the slice's sum of dy*y (softmax) or dy (log_softmax)
        A s = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) s += LOG ? gb[i] : gb[i] * yb[i];
        s = mg::block_sum(s, smem);
        // 3. publish it once every block has read the previous row's sum, then sync
        cluster.barrier_wait();
        if (threadIdx.x == 0) part[0] = s;
        cluster.sync();
        // 4. lane r of every warp reads block r's sum; the butterfly gives everyone the same bits
        s = mg::warp_sum(lane < CLUSTER ? *cluster.map_shared_rank(&part[0], lane) : A(0));
        // 5. done reading other blocks' smem: arrive now, wait before the next publish / exit
        cluster.barrier_arrive();
        // 6. write dx from registers
        mg::store_row<T, VEC, CPT>(dx_at, col, c1, [&](int k) {
            const A a = yb[k], g = gb[k];
            return LOG ? g - mg::exp_(a) * s : a * (g - s);
        });
    }
    cluster.barrier_wait();                        // no block exits while others read its part
}
#endif  // MG_HAS_CLUSTERS
