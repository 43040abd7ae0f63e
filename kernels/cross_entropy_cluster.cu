// cross_entropy_cluster.cu: the fused cross-entropy forward that writes the gradient
// (ce_fwd_grad of cross_entropy.cu, whose header has the math and the layout) for long rows on
// sm_90+, one row over a thread-block cluster.
//
//   ce_cluster_fwd_grad<T,CLUSTER>  rows longer than 64 KB: one thread-block cluster of CLUSTER
//        (2, 4, 8) blocks of 128 threads per row; block r copies packs [r*P, (r+1)*P) of the
//        row's 16-byte body (P = ceil(packs / CLUSTER), at most 64 KB) into dynamic shared
//        memory with cp.async, rank 0 also takes the head/tail scalars. Each block reduces its
//        slice to (m_r, l_r, sum w_c x_c), the blocks merge the CLUSTER triples through
//        distributed shared memory in one fixed order, and each writes its slice's dx from the
//        exps kept in shared memory. Reads M*C*s bytes and writes as many (2*M*C*s), like
//        ce_fwd_grad; 3-4 blocks per SM instead of one, so reads and writes of different rows
//        overlap. grid = CLUSTER * min(rows, 2^20 / CLUSTER), grid-stride over rows per cluster.
// Launched by minigrad/cuda/cross_entropy.py (plan_training) when loader.clusters_available();
// NumPy reference: minigrad/ops/cross_entropy.py. The H100 measurements (cluster vs block):
// benchmarks/RESULTS.md, "cross_entropy.cu: notes moved from the kernel header". Only where
// clusters exist (MG_HAS_CLUSTERS): the CPU emulator never sees this kernel; the pattern it
// follows is described in cluster.cuh. No atomics: the merge order is fixed.
#include "cross_entropy.cuh"
#include "cluster.cuh"

using mg::acc_t;
using mg::Pack;

// ====================================================================== one row over a cluster
// ce_cluster_fwd_grad<T,CLUSTER>: ce_fwd_grad for long rows with the row split over a cluster
// of CLUSTER blocks (sm_90+), each holding a slice of at most 64 KB in shared memory, so 3-4
// blocks share an SM and one block's read overlaps another's gradient write (a whole staged
// row of 128-200 KB left one block per SM, its phases one after the other).
#if defined(MG_HAS_CLUSTERS)
template <typename T, int CLUSTER>
__global__ void __cluster_dims__(CLUSTER, 1, 1) __launch_bounds__(512)
ce_cluster_fwd_grad(const T* __restrict__ x, const long long* __restrict__ target,
                    const T* __restrict__ weight, const acc_t<T>* __restrict__ wsum,
                    acc_t<T> eps, long long ignore_index, long rows, int C,
                    const acc_t<T>* __restrict__ total, acc_t<T>* __restrict__ loss,
                    acc_t<T>* __restrict__ stats, acc_t<T>* __restrict__ wt_out,
                    T* __restrict__ dx) {
    using A = acc_t<T>;
    constexpr int VEC = 16 / sizeof(T);
    constexpr bool KEEP_E = sizeof(T) == sizeof(A);        // exp fits back in place (not fp16)
    extern __shared__ __align__(16) unsigned char slice_raw[];
    T* xs = reinterpret_cast<T*>(slice_raw);               // this block's packs of the row
    const cg::cluster_group cluster = cg::this_cluster();
    __shared__ A sm[32], sl[32];
    __shared__ A part[3];                                  // (m_r, l_r, wx_r), cluster-wide
    const int rank = (int)cluster.block_rank(), lane = threadIdx.x & 31, nt = blockDim.x;
    const A W = weight ? wsum[0] : A(C);
    const bool smooth = eps != A(0);
    auto wc = [&](int c) { return weight ? mg::to_acc(weight[c]) : A(1); };
    cluster.barrier_arrive();                              // primes the split barrier of step 4
    for (long row = blockIdx.x / CLUSTER; row < rows; row += gridDim.x / CLUSTER) {
        const T* xr = x + row * C;
        const RowSplit<T, VEC> rs(xr, C);
        const int per = (rs.nb + CLUSTER - 1) / CLUSTER;   // packs per block
        const int p0 = rank * per, np = max(0, min(rs.nb - p0, per));
        const int c0 = rs.head + p0 * VEC;                 // first column of this block's packs
        const int sc = rank == 0 ? rs.scalar_col(threadIdx.x, C) : -1;   // head/tail: rank 0
        // 1. copy the slice into shared memory, every pack in flight at once
        for (int p = threadIdx.x; p < np; p += nt) mg::cp_async16(xs + p * VEC, xr + c0 + p * VEC);
        const A a_sc = sc >= 0 ? mg::to_acc(xr[sc]) : A(0);
        mg::cp_async_wait_all();
        __syncthreads();
        // 2. the slice's max m_r (and sum_c w_c x_c when smoothing), from shared memory
        A m = sc >= 0 ? a_sc : mg::neg_inf<A>(), wx = smooth && sc >= 0 ? wc(sc) * a_sc : A(0);
        for (int p = threadIdx.x; p < np; p += nt) {
            const Pack<T, VEC> v = mg::load_pack<T, VEC>(xs + p * VEC);
#pragma unroll
            for (int i = 0; i < VEC; ++i) {
                const A a = mg::to_acc(v.v[i]);
                m = mg::max_nan(m, a);
                if (smooth) wx += wc(c0 + p * VEC + i) * a;
            }
        }
        m = mg::block_max(m, sm);
        const A ms = (m == mg::neg_inf<A>()) ? A(0) : m;   // an all -inf slice: l_r = 0, not NaN
        // 3. l_r = sum exp(x - m_r), each exp written back over its x (float, double)
        A l = sc >= 0 ? mg::exp_(a_sc - ms) : A(0);
        l = mg::block_sum(l + staged_exp_sum<T, VEC, KEEP_E>(xs, np, nt, ms), sl);
        if (smooth) wx = mg::block_sum(wx, sm);
        // 4. publish (m_r, l_r, wx_r) once every block has read the previous row's, then merge
        //    all CLUSTER of them in one fixed order (every block gets the same bits)
        cluster.barrier_wait();
        if (threadIdx.x == 0) { part[0] = m; part[1] = l; part[2] = wx; }
        cluster.sync();
        mg::ML<A> st = mg::ml_identity<A>();
        A wxs = 0;
        if (lane < CLUSTER) {
            st.m = *cluster.map_shared_rank(&part[0], lane);
            st.l = *cluster.map_shared_rank(&part[1], lane);
            if (smooth) wxs = *cluster.map_shared_rank(&part[2], lane);
        }
        st = mg::warp_ml(st);
        if (smooth) wxs = mg::warp_sum(wxs);
        cluster.barrier_arrive();                          // done reading the others' parts
        // 5. the row's loss (rank 0, thread 0; x_t from global memory, usually an L2 hit)
        const long long t = target[row];
        const bool valid = t != ignore_index && t >= 0 && t < C;
        if (rank == 0 && threadIdx.x == 0)
            write_row<A, T>(row, rows, t, ignore_index, C, xr, weight, eps, W, wxs, st.m, st.l,
                            loss, stats, wt_out);
        // 6. write dx from shared memory: exp(x - m) = e_r * exp(m_r - m) folded into a / l
        const A coef = valid ? (total ? A(1) / total[0] : A(1)) : A(0);
        RowGrad<A> rg = row_grad<A, T>(t, valid, coef, eps, W, C, weight, st.m, st.l);
        T* dr = dx + row * C;
        if (sc >= 0) dr[sc] = mg::from_acc<T>(rg(a_sc, sc, weight, smooth));
        if (KEEP_E) rg.a_l *= (m == mg::neg_inf<A>()) ? A(0) : mg::exp_(ms - st.m);
        for (int p = threadIdx.x; p < np; p += nt) {
            const Pack<T, VEC> v = mg::load_pack<T, VEC>(xs + p * VEC);
            Pack<T, VEC> o;
#pragma unroll
            for (int i = 0; i < VEC; ++i) {
                const int c = c0 + p * VEC + i;
                const A a = mg::to_acc(v.v[i]);
                o.v[i] = mg::from_acc<T>(KEEP_E ? rg.from_e(a, c, weight, smooth)
                                                : rg(a, c, weight, smooth));
            }
            mg::store_pack<T, VEC>(dr + c0 + p * VEC, o);
        }
        __syncthreads();                                   // xs is refilled for the next row
    }
    cluster.barrier_wait();                                // no block exits while others read
}
#endif  // MG_HAS_CLUSTERS
