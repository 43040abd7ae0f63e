// cross_entropy.cu: fused cross-entropy with class-index targets, forward and backward.
//
// Math, per row i of logits x (rows, C), target t_i, class weights w (all 1 without weight),
// W = sum_c w_c, eps = label_smoothing, lse_i = logsumexp(x_i), p_ic = exp(x_ic - lse_i):
//   w_t      = w[t_i], or 0 when t_i == ignore_index
//   loss_i   = (1 - eps) w_t (lse_i - x_it) + eps / C (W lse_i - sum_c w_c x_ic)   (0 if ignored)
//   mean     = sum_i loss_i / sum_i w_t;  sum = sum_i loss_i;  none = loss_i
//   dx_ic    = coef_i (a_i p_ic - (1 - eps) w_t [c = t_i] - eps / C w_c)
//   a_i      = (1 - eps) w_t + eps W / C
//   coef_i   = g_i (none) or g (sum) or g / sum_i w_t (mean), times [t_i valid]
// A target outside [0, C) that is not ignore_index gives a NaN loss row; the Python side
// raises for it before returning (ce_targets' verdict), so this is only a guard: no fault, no
// device assert.
//
// Layout: x (rows, C) C-contiguous; VEC > 1 needs x 16-byte aligned and C % VEC == 0.
// target int64 (rows,); weight T (C,) or null; loss/w_t (rows,) and stats (2, rows) of A.
//
// Kernels, in file order (launched by minigrad/cuda/cross_entropy.py; NumPy reference:
// minigrad/ops/cross_entropy.py; M rows of C logits of s bytes, A = the accumulator type):
//   ce_naive_fwd<T>    the teaching version, not dispatched: one thread per row, plain passes
//                      (max, sum of exp, loss) for weight and ignore_index, reduction 'none',
//                      no label smoothing. 128-thread blocks, grid-stride. Reads 2*M*C*s bytes,
//                      uncoalesced (neighbouring threads read addresses C apart).
//   ce_fwd<T,VEC>      one block per row (32..1024 threads by C), one pass: online (m, l) and,
//                      with smoothing, sum_c w_c x_c. Reads rows*C*s bytes once, writes 4 A/row:
//                      loss, w_t, and stats = (m, l) (lse = m + log l; the backward uses
//                      exp(x - m) / l, exact even when |x| is large and lse rounds).
//   ce_reduce<T>       one block of 1024 threads: sum of loss rows and of w_t rows in a fixed
//                      order; writes the reduced loss (mean or sum) and sum w_t for the backward.
//   ce_bwd<T,VEC>      one block per row: recompute p from the saved (m, l), write dx.
//                      Reads and writes rows*C*s bytes (3 passes over the logits in total with
//                      ce_fwd, against about 6 for log_softmax + nll_loss and their backwards).
//   ce_targets<T>      one block of 1024 threads, before the forward: total = sum_i w_t over the
//                      rows (fixed order) and bad = the first row whose target is outside
//                      [0, C) and not ignore_index (rows if none). bad is copied to pinned
//                      host memory behind it; the host queues the big kernel, then waits for
//                      that copy alone (one sync) and raises the CPU path's IndexError.
//                      Reads M*8 bytes of targets (and w_t), writes 2 scalars.
//   ce_fwd_grad<T,VEC,STAGE>  training (mean or sum): ce_fwd and the gradient for g = 1 in one
//                      kernel, one block per row: pass 1 as ce_fwd; pass 2 writes
//                      dx = coef1 (a p - hot [c = t] - cold w_c), coef1 = 1 / sum_i w_t (mean,
//                      the divisor computed from the targets before launch) or 1 (sum).
//                      Rows are split into scalars up to a 16-byte boundary, then 16-byte packs
//                      (RowSplit), U = 4 packs in flight per thread.
//                      STAGE: the row goes to dynamic shared memory (C * s bytes) while its max
//                      is taken; l = sum exp(x - m) is then summed from shared memory, each exp
//                      written back in place (float/double), and the gradient pass reads those:
//                      one exp per element, no second global read. Else online (m, l) and the
//                      gradient pass re-reads the row, usually from L2. Reads rows*C*s bytes
//                      and writes as many: 2 passes for forward + backward. The backward then
//                      returns dx as it is (g == 1) or scales it by g in place.
//   ce_warp_fwd_grad<T,VEC,CPT,GROUP>  ce_fwd_grad for rows of at most 1024 classes: GROUP
//                      (1..32) lanes per row, the row in registers (CPT values per lane, exps
//                      kept there for the gradient), 128-thread blocks, grid-stride over rows.
//                      Same bytes as ce_fwd_grad: 2*M*C*s.
// Dispatch of the training forward (plan_training): C <= 1024 ce_warp_fwd_grad; rows over
// 64 KB on sm_90+ ce_cluster_fwd_grad (cross_entropy_cluster.cu: one row over a thread-block
// cluster); else ce_fwd_grad, staged when the row fits in shared memory. The H100
// measurements behind these choices (cluster vs block, threads per block, lanes per row):
// benchmarks/RESULTS.md, "cross_entropy.cu: notes moved from the kernel header".
// The per-row loss and gradient (write_row, RowGrad) and the helpers of the fused kernels are
// in cross_entropy.cuh. No atomics: results depend only on the inputs and the shape.
#include "cross_entropy.cuh"

using mg::acc_t;
using mg::Pack;

// ================================================================== 1. the simplest correct kernel
// The teaching version (not dispatched by the launcher): one thread per row, plain passes over
// the row, nothing shared between threads. It covers the simplest options only: the class
// weight (optional, null for none), ignore_index rows (loss 0) and reduction 'none' (the
// per-row loss, in T); no label smoothing (the kernels below add it). Correct for any C, slow:
// each thread walks its own row, so a warp's 32 loads touch 32 different rows (uncoalesced).
template <typename T>
__global__ void __launch_bounds__(128)
ce_naive_fwd(const T* __restrict__ x, const long long* __restrict__ target,
             const T* __restrict__ weight, long long ignore_index, long rows, int C,
             T* __restrict__ loss) {
    using A = acc_t<T>;
    for (long row = (long)blockIdx.x * blockDim.x + threadIdx.x; row < rows;
         row += (long)gridDim.x * blockDim.x) {
        const T* xr = x + row * C;
        const long long t = target[row];
        // 1. ignored rows give 0; a target outside [0, C) gives NaN (never read out of bounds)
        if (t == ignore_index) {
            loss[row] = mg::from_acc<T>(A(0));
            continue;
        }
        if (t < 0 || t >= C) {
            loss[row] = mg::from_acc<T>(A(0) / A(0));
            continue;
        }
        // 2. m = max_c x_c
        A m = mg::neg_inf<A>();
        for (int c = 0; c < C; ++c) m = mg::max_nan(m, mg::to_acc(xr[c]));
        // 3. l = sum_c exp(x_c - m), so lse = m + log l
        A l = 0;
        for (int c = 0; c < C; ++c) l += mg::exp_(mg::to_acc(xr[c]) - m);
        // 4. loss = w_t (lse - x_t), as (m - x_t) + log l: no rounding of a large lse
        const A wt = weight ? mg::to_acc(weight[t]) : A(1);
        loss[row] = mg::from_acc<T>(wt * ((m - mg::to_acc(xr[t])) + mg::log_(l)));
    }
}

// ================================== 2. online one pass: ce_fwd, the forward of the two-kernel path
template <typename T, int VEC>
__global__ void __launch_bounds__(1024)
ce_fwd(const T* __restrict__ x, const long long* __restrict__ target,
       const T* __restrict__ weight, const acc_t<T>* __restrict__ wsum, acc_t<T> eps,
       long long ignore_index, long rows, int C,
       acc_t<T>* __restrict__ loss, acc_t<T>* __restrict__ stats, acc_t<T>* __restrict__ wt_out) {
    using A = acc_t<T>;
    __shared__ A sm[32], sl[32];
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* xr = x + row * C;
        // 1. one pass over the row: online (m, l), and sum_c w_c x_c when smoothing
        mg::ML<A> st = mg::ml_identity<A>();
        A wx = 0;
        for (int c = threadIdx.x * VEC; c < C; c += blockDim.x * VEC) {
            const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + c);
#pragma unroll
            for (int i = 0; i < VEC; ++i) {
                const A a = mg::to_acc(v.v[i]);
                mg::ml_add(st, a);
                if (eps != A(0)) wx += (weight ? mg::to_acc(weight[c + i]) : A(1)) * a;
            }
        }
        // 2. block merges: lse, and the smoothing sum
        st = mg::block_ml(st, sm, sl);
        if (eps != A(0)) wx = mg::block_sum(wx, sm);
        // 3. thread 0 gathers the target logit and writes the row's results
        if (threadIdx.x == 0)
            write_row<A, T>(row, rows, target[row], ignore_index, C, xr, weight, eps,
                            weight ? wsum[0] : A(C), wx, st.m, st.l, loss, stats, wt_out);
        __syncthreads();    // sm is reused by the next row's reductions
    }
}

// =================================================== 2. after ce_fwd: the loss rows to mean or sum
// mode: 0 = none (only the total is written), 1 = mean, 2 = sum
template <typename T>
__global__ void __launch_bounds__(1024)
ce_reduce(const acc_t<T>* __restrict__ loss, const acc_t<T>* __restrict__ wt, long rows, int mode,
          T* __restrict__ out, acc_t<T>* __restrict__ total) {
    using A = acc_t<T>;
    __shared__ A sm[32];
    // 1. each thread folds rows t, t + 1024, ... in order; 2. one block tree per sum
    A s = 0, w = 0;
    for (long i = threadIdx.x; i < rows; i += blockDim.x) {
        s += loss[i];
        w += wt[i];
    }
    s = mg::block_sum(s, sm);
    w = mg::block_sum(w, sm);
    if (threadIdx.x == 0) {
        total[0] = w;
        if (mode == 1) out[0] = mg::from_acc<T>(s / w);
        if (mode == 2) out[0] = mg::from_acc<T>(s);
    }
}

// ================================================== 2. the backward of the two-kernel path: ce_bwd
template <typename T, int VEC>
__global__ void __launch_bounds__(1024)
ce_bwd(const T* __restrict__ x, const long long* __restrict__ target,
       const T* __restrict__ weight, const acc_t<T>* __restrict__ wsum,
       const acc_t<T>* __restrict__ stats, const T* __restrict__ g, long g_stride,
       const acc_t<T>* __restrict__ total, acc_t<T> eps, long long ignore_index, long rows, int C,
       T* __restrict__ dx) {
    using A = acc_t<T>;
    const A W = weight ? wsum[0] : A(C);
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        // 1. per-row constants (every thread computes them: no smem, no sync)
        const long long t = target[row];
        const bool valid = t != ignore_index && t >= 0 && t < C;
        A coef = A(0);                              // ignored rows: zero gradient, as torch,
        if (valid) {                                // even when every row is ignored (total 0)
            coef = mg::to_acc(g[row * g_stride]);
            if (total) coef = coef / total[0];
        }
        const RowGrad<A> rg = row_grad<A, T>(t, valid, coef, eps, W, C, weight, stats[row],
                                             stats[rows + row]);
        // 2. one pass: dx = coef * (a p - hot [c = t] - cold w_c), the -1 folded in A precision
        const T* xr = x + row * C;
        for (int c = threadIdx.x * VEC; c < C; c += blockDim.x * VEC) {
            const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + c);
            Pack<T, VEC> o;
#pragma unroll
            for (int i = 0; i < VEC; ++i)
                o.v[i] = mg::from_acc<T>(rg(mg::to_acc(v.v[i]), c + i, weight, eps != A(0)));
            mg::store_pack<T, VEC>(dx + row * C + c, o);
        }
    }
}

// ======================================= 3. before the forward: sum_i w_t and the first bad target
template <typename T>
__global__ void __launch_bounds__(1024)
ce_targets(const long long* __restrict__ target, const T* __restrict__ weight,
           long long ignore_index, long rows, int C, acc_t<T>* __restrict__ total,
           long long* __restrict__ bad) {
    using A = acc_t<T>;
    __shared__ A sm[32];
    __shared__ long long sb[32];
    // 1. each thread folds rows t, t + 1024, ... in order: weight sum and first bad row
    A s = 0;
    long long first = rows;
    for (long i = threadIdx.x; i < rows; i += blockDim.x) {
        const long long t = target[i];
        if (t == ignore_index) continue;
        if (t < 0 || t >= C) {
            first = first < i ? first : i;
            continue;
        }
        s += weight ? mg::to_acc(weight[t]) : A(1);
    }
    // 2. block tree for the sum; min over the warps' first bad rows
    s = mg::block_sum(s, sm);
    for (int o = 16; o > 0; o >>= 1) {
        const long long other = __shfl_xor_sync(0xffffffffu, first, o);
        first = other < first ? other : first;
    }
    if ((threadIdx.x & 31) == 0) sb[threadIdx.x >> 5] = first;
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int w = 1; w < (int)(blockDim.x >> 5); ++w) first = sb[w] < first ? sb[w] : first;
        total[0] = s;
        bad[0] = first;
    }
}

// ====================================== 4. production: forward + gradient for g = 1, block per row
template <typename T, int VEC, bool STAGE>
__global__ void __launch_bounds__(1024)
ce_fwd_grad(const T* __restrict__ x, const long long* __restrict__ target,
            const T* __restrict__ weight, const acc_t<T>* __restrict__ wsum, acc_t<T> eps,
            long long ignore_index, long rows, int C, const acc_t<T>* __restrict__ total,
            acc_t<T>* __restrict__ loss, acc_t<T>* __restrict__ stats,
            acc_t<T>* __restrict__ wt_out, T* __restrict__ dx) {
    using A = acc_t<T>;
    constexpr int U = 4;                                   // packs in flight per thread
    constexpr bool KEEP_E = sizeof(T) == sizeof(A);        // exp fits back in place (not fp16)
    extern __shared__ __align__(16) unsigned char stage_raw[];
    T* stage = reinterpret_cast<T*>(stage_raw);            // the row's packs when STAGE
    __shared__ A sm[32], sl[32];
    const A W = weight ? wsum[0] : A(C);
    const bool smooth = eps != A(0);
    const int nt = blockDim.x;
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* xr = x + row * C;
        const RowSplit<T, VEC> rs(xr, C);
        const T* xb = xr + rs.head;                        // 16-byte aligned body
        const int sc = rs.scalar_col(threadIdx.x, C);      // this thread's head/tail column
        // 1. read the row once: U packs per thread in flight; STAGE copies them to shared
        //    memory and keeps only the max (two exact passes from shared memory follow), else
        //    the online (m, l). Smoothing also sums w_c x_c.
        mg::ML<A> st = mg::ml_identity<A>();
        A m = mg::neg_inf<A>(), wx = 0;
        auto fold = [&](A a, int c) {
            if (STAGE) m = mg::max_nan(m, a); else mg::ml_add(st, a);
            if (smooth) wx += (weight ? mg::to_acc(weight[c]) : A(1)) * a;
        };
        for (int p0 = threadIdx.x; p0 < rs.nb; p0 += U * nt) {
            Pack<T, VEC> v[U];
#pragma unroll
            for (int u = 0; u < U; ++u)
                if (p0 + u * nt < rs.nb) v[u] = mg::load_pack<T, VEC>(xb + (p0 + u * nt) * VEC);
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const int p = p0 + u * nt;
                if (p >= rs.nb) break;
                if (STAGE) mg::store_pack<T, VEC>(stage + p * VEC, v[u]);
#pragma unroll
                for (int i = 0; i < VEC; ++i) fold(mg::to_acc(v[u].v[i]), rs.head + p * VEC + i);
            }
        }
        const A a_sc = sc >= 0 ? mg::to_acc(xr[sc]) : A(0);
        if (sc >= 0) fold(a_sc, sc);
        // 2. block merges: (m, l); STAGE: the max, then l = sum exp(x - m) from shared memory,
        //    each exp written back over its x (float, double) for pass 4 to reuse
        if (STAGE) {
            m = mg::block_max(m, sm);
            A l = sc >= 0 ? mg::exp_(a_sc - m) : A(0);
            l += staged_exp_sum<T, VEC, KEEP_E>(stage, rs.nb, nt, m);
            st = {m, mg::block_sum(l, sl)};
        } else {
            st = mg::block_ml(st, sm, sl);
        }
        if (smooth) wx = mg::block_sum(wx, sm);
        // 3. the row's loss (thread 0) and every thread's gradient constants for g = 1
        const long long t = target[row];
        const bool valid = t != ignore_index && t >= 0 && t < C;
        if (threadIdx.x == 0)
            write_row<A, T>(row, rows, t, ignore_index, C, xr, weight, eps, W, wx, st.m, st.l,
                            loss, stats, wt_out);
        const A coef = valid ? (total ? A(1) / total[0] : A(1)) : A(0);
        const RowGrad<A> rg = row_grad<A, T>(t, valid, coef, eps, W, C, weight, st.m, st.l);
        // 4. second pass, from shared memory (STAGE) or global memory: write dx
        T* dr = dx + row * C;
        if (sc >= 0) dr[sc] = mg::from_acc<T>(rg(a_sc, sc, weight, smooth));
        for (int p0 = threadIdx.x; p0 < rs.nb; p0 += U * nt) {
            Pack<T, VEC> v[U];
#pragma unroll
            for (int u = 0; u < U; ++u)
                if (p0 + u * nt < rs.nb)
                    v[u] = mg::load_pack<T, VEC>((STAGE ? stage : xb) + (p0 + u * nt) * VEC);
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const int p = p0 + u * nt;
                if (p >= rs.nb) break;
                Pack<T, VEC> o;
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const int c = rs.head + p * VEC + i;
                    const A a = mg::to_acc(v[u].v[i]);
                    o.v[i] = mg::from_acc<T>(STAGE && KEEP_E ? rg.from_e(a, c, weight, smooth)
                                                             : rg(a, c, weight, smooth));
                }
                mg::store_pack<T, VEC>(dr + rs.head + p * VEC, o);
            }
        }
        __syncthreads();    // sm, sl and the stage are reused by the next row
    }
}

// ====================================== 5. production, short rows: lanes per row, row in registers
// ce_warp_fwd_grad<T,VEC,CPT,GROUP>: ce_fwd_grad for rows of at most 1024 classes, GROUP lanes
// (1..32) per row with the row in registers (CPT values per lane; pack p of a lane holds
// columns (p * GROUP + lane) * VEC ...), 128-thread blocks, grid-stride over rows. Same
// bytes as ce_fwd_grad, whose 32-thread block per row of 128 classes filled at most half an
// SM's threads (32 resident blocks).
template <typename T, int VEC, int CPT, int GROUP>
__global__ void __launch_bounds__(128)
ce_warp_fwd_grad(const T* __restrict__ x, const long long* __restrict__ target,
                 const T* __restrict__ weight, const acc_t<T>* __restrict__ wsum, acc_t<T> eps,
                 long long ignore_index, long rows, int C, const acc_t<T>* __restrict__ total,
                 acc_t<T>* __restrict__ loss, acc_t<T>* __restrict__ stats,
                 acc_t<T>* __restrict__ wt_out, T* __restrict__ dx) {
    using A = acc_t<T>;
    constexpr int PACKS = CPT / VEC;
    const int lane = threadIdx.x % GROUP;
    const A W = weight ? wsum[0] : A(C);
    const bool smooth = eps != A(0);
    // every lane of a warp runs the same number of iterations: the shuffles need all 32
    const long warp_row0 = ((long)blockIdx.x * blockDim.x + (threadIdx.x & ~31)) / GROUP;
    const long step = (long)gridDim.x * blockDim.x / GROUP;
    for (long r0 = warp_row0; r0 < rows; r0 += step) {
        const long row = r0 + (threadIdx.x & 31) / GROUP;
        const bool in = row < rows;
        const T* xr = x + row * C;
        // 1. load the row into registers (-inf past its end); max, and sum_c w_c x_c
        A buf[CPT];
        A m = mg::neg_inf<A>(), wx = 0;
#pragma unroll
        for (int p = 0; p < PACKS; ++p) {
            const int c = (p * GROUP + lane) * VEC;
            if (in && c < C) {
                const Pack<T, VEC> v = mg::load_pack<T, VEC>(xr + c);
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const A a = mg::to_acc(v.v[i]);
                    buf[p * VEC + i] = a;
                    m = mg::max_nan(m, a);
                    if (smooth) wx += (weight ? mg::to_acc(weight[c + i]) : A(1)) * a;
                }
            } else {
#pragma unroll
                for (int i = 0; i < VEC; ++i) buf[p * VEC + i] = mg::neg_inf<A>();
            }
        }
        m = mg::warp_max<GROUP>(m);
        if (smooth) wx = mg::warp_sum<GROUP>(wx);
        // 2. l = sum exp(x - m), the exps kept in buf
        A l = 0;
#pragma unroll
        for (int i = 0; i < CPT; ++i) {
            buf[i] = mg::exp_(buf[i] - m);
            l += buf[i];
        }
        l = mg::warp_sum<GROUP>(l);
        if (!in) continue;                            // after the last shuffle of the row
        // 3. lane 0 writes the row's loss; every lane's gradient constants for g = 1
        const long long t = target[row];
        const bool valid = t != ignore_index && t >= 0 && t < C;
        if (lane == 0)
            write_row<A, T>(row, rows, t, ignore_index, C, xr, weight, eps, W, wx, m, l, loss,
                            stats, wt_out);
        const A coef = valid ? (total ? A(1) / total[0] : A(1)) : A(0);
        const RowGrad<A> rg = row_grad<A, T>(t, valid, coef, eps, W, C, weight, m, l);
        // 4. write dx from the kept exps
#pragma unroll
        for (int p = 0; p < PACKS; ++p) {
            const int c = (p * GROUP + lane) * VEC;
            if (c < C) {
                Pack<T, VEC> o;
#pragma unroll
                for (int i = 0; i < VEC; ++i)
                    o.v[i] = mg::from_acc<T>(rg.from_e(buf[p * VEC + i], c + i, weight, smooth));
                mg::store_pack<T, VEC>(dx + row * C + c, o);
            }
        }
    }
}
