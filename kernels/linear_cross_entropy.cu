// linear_cross_entropy.cu: the loss and the logits' gradient of one block of rows of the
// chunked linear_cross_entropy, written in place over the block's logits.
//
// The launcher (minigrad/cuda/linear_cross_entropy.py) runs, per block of rows r:
//   z = x_r W^T (cuBLAS) into one reused (rows, C) buffer, then ONE of these kernels, which
//   adds the bias on load (zb = z + b) and for each row i, target t_i, class weights w (all 1
//   without), W = sum_c w_c, eps = label_smoothing, lse_i = logsumexp(zb_i):
//     loss_i = (1 - eps) w_t (lse_i - zb_it) + eps / C (W lse_i - sum_c w_c zb_ic)
//     dz_ic  = a_i p_ic - (1 - eps) w_t [c = t_i] - eps / C w_c,   p = softmax(zb_i),
//     a_i    = (1 - eps) w_t + eps W / C;   both 0 on rows with t_i == ignore_index
//   (cross-entropy's formulas, cross_entropy.cu's header, with coef = 1: dz is the gradient of
//   the *sum* of the row losses; the op scales for 'mean'). dz overwrites z: the block needs no
//   second (rows, C) buffer, and cuBLAS then reads dz for dx_r, dW and db.
// A target outside [0, C) that is not ignore_index gives a NaN row (the op has raised before).
//
// Layout: z (rows, C) C-contiguous; bias T (C,) or null; target int64 (rows,); weight T (C,)
// or null; wsum A (1,) = sum_c w_c (read only with a weight); loss A (rows,), one per row (no
// atomics: the launcher sums them with reduce.cu's fixed-order full sum).
//
// Kernels, in file order (M rows of C logits of s bytes; NumPy reference: the per-block
// autograd of minigrad/ops/linear_cross_entropy_chunked.py, and the CPU fast path
// minigrad/cpu/linear_cross_entropy.py):
//   lce_naive_fwd_grad<T>  the teaching version, not dispatched: one thread per row, plain
//                      passes (max, sum of exp and of w_c zb_c, the loss, then dz in place).
//                      128-thread blocks, grid-stride. Reads 3*M*C*s and writes M*C*s bytes,
//                      uncoalesced (neighbouring threads walk rows C apart).
//   lce_fwd_grad<T,VEC>  production: one block per row (threads for about 4 packs each, 32 to
//                      512), grid-stride over rows. Pass 1 reads the row once (16-byte packs
//                      after a scalar head, RowSplit; U = 2 (float) or 4 (double) packs in
//                      flight per thread, the most ptxas fits without spills): online (m, l)
//                      and, with smoothing, sum_c w_c zb_c; block merges; thread 0 reads zb_t
//                      and writes the loss; a barrier (zb_t is read before anyone overwrites
//                      it); pass 2 reads the row again and writes dz over it, each element by
//                      the thread that read it. grad = 0 (no gradient wanted) skips pass 2.
//                      Bytes: 3*M*C*s (read, read, write) plus C*s of bias per row (from L2).
//                      The second read hits L2 only while the rows in flight fit in it: at
//                      vocabulary sizes (128K classes: 512 KB a float32 row, hundreds of rows
//                      resident) it comes from HBM. No staged (shared-memory) variant: such
//                      rows do not fit; keeping them on chip would take a thread-block cluster
//                      per row, as cross_entropy_cluster.cu does (not done here).
// Not covered (the launcher returns None and the reference runs): probability targets,
// K-dimensional linear weights, float16/bfloat16, empty shapes.
// Deterministic: no atomics; every combine order depends only on C and the launch shape.
#include "cross_entropy.cuh"

using mg::acc_t;
using mg::Pack;

// ================================================================== 1. the simplest correct kernel
// The teaching version: one thread per row, every option, the formulas written out. W is the
// thread's own sum of the class weights.
template <typename T>
__global__ void __launch_bounds__(128)
lce_naive_fwd_grad(T* z, const T* __restrict__ bias, const long long* __restrict__ target,
                   const T* __restrict__ weight, acc_t<T> eps, long long ignore_index, long rows,
                   int C, acc_t<T>* __restrict__ loss) {
    using A = acc_t<T>;
    for (long row = (long)blockIdx.x * blockDim.x + threadIdx.x; row < rows;
         row += (long)gridDim.x * blockDim.x) {
        T* zr = z + row * C;
        auto zb = [&](int c) { return mg::to_acc(zr[c]) + (bias ? mg::to_acc(bias[c]) : A(0)); };
        auto w = [&](long long c) { return weight ? mg::to_acc(weight[c]) : A(1); };
        const long long t = target[row];
        const bool valid = t != ignore_index && t >= 0 && t < C;
        // 1. m = max_c zb_c
        A m = mg::neg_inf<A>();
        for (int c = 0; c < C; ++c) m = mg::max_nan(m, zb(c));
        // 2. l = sum_c exp(zb_c - m), and the smoothing sums W = sum_c w_c, wx = sum_c w_c zb_c
        A l = 0, W = 0, wx = 0;
        for (int c = 0; c < C; ++c) {
            l += mg::exp_(zb(c) - m);
            W += w(c);
            wx += w(c) * zb(c);
        }
        // 3. the loss: lse - zb_t as (m - zb_t) + log l; 0 when ignored, NaN for a bad target
        const A wt = valid ? w(t) : A(0);
        A li = t == ignore_index ? A(0) : A(0) / A(0);
        if (valid) {
            li = (A(1) - eps) * wt * ((m - zb(t)) + mg::log_(l));
            if (eps != A(0)) li += eps / A(C) * (W * (m + mg::log_(l)) - wx);
        }
        loss[row] = li;
        // 4. dz = a p - (1 - eps) w_t [c = t] - eps / C w_c, over z (0 on ignored rows)
        const A a = valid ? (A(1) - eps) * wt + eps * W / A(C) : A(0);
        for (int c = 0; c < C; ++c) {
            A d = a * mg::exp_(zb(c) - m) / l;
            if (valid) d -= (c == t ? (A(1) - eps) * wt : A(0)) + eps / A(C) * w(c);
            zr[c] = mg::from_acc<T>(d);
        }
    }
}

// ================================== 2. production: one block per row, online (m, l), dz in place
template <typename T, int VEC>
__global__ void __launch_bounds__(512)
lce_fwd_grad(T* z, const T* __restrict__ bias, const long long* __restrict__ target,
             const T* __restrict__ weight, const acc_t<T>* __restrict__ wsum, acc_t<T> eps,
             long long ignore_index, long rows, int C, int grad, acc_t<T>* __restrict__ loss) {
    using A = acc_t<T>;
    // packs in flight per thread; ptxas (sm_90) then spills nothing: float 56 registers
    // (U = 4 spilled at 64), double 114 (U = 2 spilled at 64)
    constexpr int U = sizeof(T) == 8 ? 4 : 2;
    __shared__ A sm[32], sl[32];
    const A W = weight ? wsum[0] : A(C);
    const bool smooth = eps != A(0);
    const int nt = blockDim.x;
    auto zb = [&](T v, int c) { return mg::to_acc(v) + (bias ? mg::to_acc(bias[c]) : A(0)); };
    for (long row = blockIdx.x; row < rows; row += gridDim.x) {
        T* zr = z + row * C;
        const RowSplit<T, VEC> rs(zr, C);
        T* body = zr + rs.head;                            // 16-byte aligned
        const int sc = rs.scalar_col(threadIdx.x, C);      // this thread's head/tail column
        // 1. read the row once, U packs per thread in flight: online (m, l) of zb, and
        //    sum_c w_c zb_c when smoothing
        mg::ML<A> st = mg::ml_identity<A>();
        A wx = 0;
        auto fold = [&](A a, int c) {
            mg::ml_add(st, a);
            if (smooth) wx += (weight ? mg::to_acc(weight[c]) : A(1)) * a;
        };
        for (int p0 = threadIdx.x; p0 < rs.nb; p0 += U * nt) {
            Pack<T, VEC> v[U];
#pragma unroll
            for (int u = 0; u < U; ++u)
                if (p0 + u * nt < rs.nb) v[u] = mg::load_pack<T, VEC>(body + (p0 + u * nt) * VEC);
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const int p = p0 + u * nt;
                if (p >= rs.nb) break;
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const int c = rs.head + p * VEC + i;
                    fold(zb(v[u].v[i], c), c);
                }
            }
        }
        const A a_sc = sc >= 0 ? zb(zr[sc], sc) : A(0);
        if (sc >= 0) fold(a_sc, sc);
        // 2. block merges: (m, l), and the smoothing sum
        st = mg::block_ml(st, sm, sl);
        if (smooth) wx = mg::block_sum(wx, sm);
        // 3. thread 0 reads zb_t and writes the row's loss; the barrier keeps pass 4 from
        //    overwriting z_t before that read (and frees sm, sl for the next row)
        const long long t = target[row];
        const bool valid = t != ignore_index && t >= 0 && t < C;
        if (threadIdx.x == 0)
            loss[row] = row_loss<A, T>(t, ignore_index, C, valid ? zb(zr[t], (int)t) : A(0),
                                       weight, eps, W, wx, st.m, st.l);
        __syncthreads();
        if (!grad) continue;
        const RowGrad<A> rg = row_grad<A, T>(t, valid, A(valid ? 1 : 0), eps, W, C, weight,
                                             st.m, st.l);      // coef 0: ignored
        // 4. second read of the row: dz written over it, each element by the thread reading it
        if (sc >= 0) zr[sc] = mg::from_acc<T>(rg(a_sc, sc, weight, smooth));
        for (int p0 = threadIdx.x; p0 < rs.nb; p0 += U * nt) {
            Pack<T, VEC> v[U];
#pragma unroll
            for (int u = 0; u < U; ++u)
                if (p0 + u * nt < rs.nb) v[u] = mg::load_pack<T, VEC>(body + (p0 + u * nt) * VEC);
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const int p = p0 + u * nt;
                if (p >= rs.nb) break;
                Pack<T, VEC> o;
#pragma unroll
                for (int i = 0; i < VEC; ++i) {
                    const int c = rs.head + p * VEC + i;
                    o.v[i] = mg::from_acc<T>(rg(zb(v[u].v[i], c), c, weight, smooth));
                }
                mg::store_pack<T, VEC>(body + p * VEC, o);
            }
        }
    }
}
