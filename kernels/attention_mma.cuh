// attention_mma.cuh: the tensor-core pieces of attention_tc.cu (v2): 3xTF32 mma.sync on
// register fragments, and cp.async tiles of shared memory.
//
// 3xTF32: TF32 keeps 10 mantissa bits (relative error ~3e-4 per product: not float32-grade), so
// each operand is split x = hi + lo with hi = tf32(x) and lo = x - hi (exact; the tensor core
// reads its top 19 bits), and a product is
//   A B ~= Ahi Bhi + Ahi Blo + Alo Bhi      (dropped: Alo Blo and lo's low bits, ~2^-21 rel.)
// accumulated in float32: three mma.sync.m16n8k8 TF32 per 16x8x8 block, ~1e-6 relative error
// like float32 SIMT code (torch's float32 SDPA does the same: CUTLASS OpMultiplyAddFastF32).
//
// Fragment layout of mma.m16n8k8 (PTX ISA; lane = 4g + t, g = lane / 4, t = lane % 4):
//   A (16 x 8, row)   a0 (g, t)   a1 (g+8, t)   a2 (g, t+4)   a3 (g+8, t+4)
//   B (8 x 8, col)    b0 (t, g)   b1 (t+4, g)                      (element (k, n))
//   C (16 x 8)        c0 (g, 2t)  c1 (g, 2t+1)  c2 (g+8, 2t)  c3 (g+8, 2t+1)
// A warp owns a 16-row strip of S (or S^T) in C layout, so the row max/sum of the online
// softmax reduce over the 4 lanes of a quad. To feed P (C layout) back in as the A operand of
// P V without a trip through shared memory, the 8 keys of a k-step are taken in the order
// (0, 2, 4, 6, 1, 3, 5, 7): then a0..a3 = c0, c2, c1, c3 of the same thread, and the B
// operand reads V rows k0 + 2t and k0 + 2t + 1 (load_bv).
// Shared tiles have row stride D + 4 (= 4 mod 32 words): both access patterns, (g, t) ->
// g * ld + t and (t, g) -> 2t * ld + g, hit 32 different banks.
// cp.async (16-byte when d % 4 == 0 and the slice is 16-byte aligned, else 4-byte) fills the
// tiles with zeros past the last row and column.
// Built by the CPU emulator too (tests/cuda_emu): without __CUDACC__, mma3 gathers the warp's
// fragments through a buffer and multiplies on the CPU, and cp.async is a plain copy.
#pragma once
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define MG_ATTN_PTX 1
#endif

namespace {

struct FragA { unsigned hi[4], lo[4]; };
struct FragB { unsigned hi[2], lo[2]; };

// round to TF32 (nearest, ties away; 10 mantissa bits, low 13 bits zero)
__device__ __forceinline__ unsigned to_tf32(float x) {
#ifdef MG_ATTN_PTX
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
#else
    unsigned u = __float_as_uint(x);
    if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
    return u;
#endif
}

// x = hi + lo exactly; lo goes to the MMA unrounded: the tensor core reads the top 19 bits of a
// TF32 operand (truncation, the same thing CUTLASS's round_half_ulp_truncate relies on), an
// error of < 2^-10 |lo| < 2^-21 |x|, one instruction cheaper than rounding lo
__device__ __forceinline__ void split(float x, unsigned& hi, unsigned& lo) {
    hi = to_tf32(x);
    lo = __float_as_uint(x - __uint_as_float(hi));
#ifndef MG_ATTN_PTX
    lo &= 0xffffe000u;                                 // what the tensor core sees
#endif
}

#ifdef MG_ATTN_PTX
__device__ __forceinline__ void mma_tf32(float (&c)[4], const unsigned (&a)[4],
                                         const unsigned (&b)[2]) {
    asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
        "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif

// c += A B for one 16x8x8 block in 3xTF32: the small cross terms first, then the big one
__device__ __forceinline__ void mma3(float (&c)[4], const FragA& a, const FragB& b) {
#ifdef MG_ATTN_PTX
    mma_tf32(c, a.lo, b.hi);
    mma_tf32(c, a.hi, b.lo);
    mma_tf32(c, a.hi, b.hi);
#else
    static unsigned xa[32][32][8], xb[32][32][4];      // [warp][lane]: the warp's fragments
    const int w = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    for (int i = 0; i < 4; ++i) { xa[w][lane][i] = a.hi[i]; xa[w][lane][4 + i] = a.lo[i]; }
    for (int i = 0; i < 2; ++i) { xb[w][lane][i] = b.hi[i]; xb[w][lane][2 + i] = b.lo[i]; }
    __syncwarp();
    for (int e = 0; e < 4; ++e) {
        const int r = g + 8 * (e / 2), n = 2 * t + e % 2;
        float sum = 0.f;
        for (int k = 0; k < 8; ++k) {
            const unsigned* pa = xa[w][(r % 8) * 4 + k % 4];
            const unsigned* pb = xb[w][n * 4 + k % 4];
            const int ia = r / 8 + 2 * (k / 4), ib = k / 4;
            const float ah = __uint_as_float(pa[ia]), al = __uint_as_float(pa[4 + ia]);
            const float bh = __uint_as_float(pb[ib]), bl = __uint_as_float(pb[2 + ib]);
            sum = fmaf(al, bh, sum);
            sum = fmaf(ah, bl, sum);
            sum = fmaf(ah, bh, sum);
        }
        c[e] += sum;
    }
    __syncwarp();                                      // nobody refills before all have read
#endif
}

// A fragment of rows r0.., cols k0.. of a row-major smem tile (row stride LD)
template <int LD>
__device__ __forceinline__ FragA load_a(const float* T, int r0, int k0, int g, int t) {
    FragA f;
    const float* p = T + (r0 + g) * LD + k0 + t;
    split(p[0], f.hi[0], f.lo[0]);
    split(p[8 * LD], f.hi[1], f.lo[1]);
    split(p[4], f.hi[2], f.lo[2]);
    split(p[8 * LD + 4], f.hi[3], f.lo[3]);
    return f;
}

// B fragment with B[k][n] = T[n0 + n][k0 + k]: the operand of X T^T (T's rows are the columns)
template <int LD>
__device__ __forceinline__ FragB load_bt(const float* T, int n0, int k0, int g, int t) {
    FragB f;
    const float* p = T + (n0 + g) * LD + k0 + t;
    split(p[0], f.hi[0], f.lo[0]);
    split(p[4], f.hi[1], f.lo[1]);
    return f;
}

// B fragment with B[k][n] = T[k0 + (0,2,4,6,1,3,5,7)[k]][n0 + n]: the operand of P T, P in C layout
template <int LD>
__device__ __forceinline__ FragB load_bv(const float* T, int k0, int n0, int g, int t) {
    FragB f;
    const float* p = T + (k0 + 2 * t) * LD + n0 + g;
    split(p[0], f.hi[0], f.lo[0]);
    split(p[LD], f.hi[1], f.lo[1]);
    return f;
}

// the A fragment of an 8-column block of a C-layout accumulator (keys in load_bv's order)
__device__ __forceinline__ FragA frag_from_acc(const float (&c)[4]) {
    FragA f;
    split(c[0], f.hi[0], f.lo[0]);
    split(c[2], f.hi[1], f.lo[1]);
    split(c[1], f.hi[2], f.lo[2]);
    split(c[3], f.hi[3], f.lo[3]);
    return f;
}

// ---- a warp's products on whole strips ----
// c = 0 for N C-layout blocks of 16 x 8
template <int N>
__device__ __forceinline__ void zero(float (&c)[N][4]) {
#pragma unroll
    for (int nt = 0; nt < N; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e) c[nt][e] = 0.f;
}

// c = X Y^T over D columns: X rows r0 .. r0 + 15, Y rows n0 .. n0 + 8N - 1 (the product's
// columns), both row-major smem tiles of row stride LD; c = 0 without the MMAs when !live (a
// warp whose part of the tile is wholly masked)
template <int D, int LD, int N>
__device__ __forceinline__ void mma_xyt(float (&c)[N][4], bool live, const float* X, int r0,
                                        const float* Y, int n0, int g, int t) {
    zero(c);
    if (!live) return;
#pragma unroll 2
    for (int kk = 0; kk < D / 8; ++kk) {
        const FragA a = load_a<LD>(X, r0, kk * 8, g, t);
#pragma unroll
        for (int nt = 0; nt < N; ++nt)
            mma3(c[nt], a, load_bt<LD>(Y, n0 + nt * 8, kk * 8, g, t));
    }
}

// c += P Y: P a warp's 16 x 8K strip in C layout (its keys in load_bv's order), Y rows
// k0 .. k0 + 8K - 1 of a row-major smem tile of row stride LD, 8N columns
template <int LD, int K, int N>
__device__ __forceinline__ void mma_py(float (&c)[N][4], const float (&p)[K][4], const float* Y,
                                       int k0, int g, int t) {
#pragma unroll
    for (int kk = 0; kk < K; ++kk) {
        const FragA a = frag_from_acc(p[kk]);
#pragma unroll
        for (int nt = 0; nt < N; ++nt)
            mma3(c[nt], a, load_bv<LD>(Y, k0 + kk * 8, nt * 8, g, t));
    }
}

// ---- asynchronous global -> shared copies (zero-filled where out of range) ----
#ifdef MG_ATTN_PTX
__device__ __forceinline__ unsigned smem_addr(const void* p) {     // generic -> .shared
    unsigned a;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
    return a;
}
#endif

__device__ __forceinline__ void cp_async16(float* dst, const float* src, bool ok) {
#ifdef MG_ATTN_PTX
    const unsigned s = smem_addr(dst);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n"
                 :: "r"(s), "l"(src), "r"(ok ? 16 : 0) : "memory");
#else
    for (int i = 0; i < 4; ++i) dst[i] = ok ? src[i] : 0.f;
#endif
}

__device__ __forceinline__ void cp_async4(float* dst, const float* src, bool ok) {
#ifdef MG_ATTN_PTX
    const unsigned s = smem_addr(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n"
                 :: "r"(s), "l"(src), "r"(ok ? 4 : 0) : "memory");
#else
    *dst = ok ? *src : 0.f;
#endif
}

__device__ __forceinline__ void cp_async_commit() {
#ifdef MG_ATTN_PTX
    asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}

__device__ __forceinline__ void cp_async_wait_all() {
#ifdef MG_ATTN_PTX
    asm volatile("cp.async.wait_all;\n" ::: "memory");
#endif
}

// rows r0 .. r0+R-1 of a (n, d) matrix into an [R][D + 4] smem tile, zeros past n rows / d cols
template <int D, int R, int NTHR>
__device__ __forceinline__ void tile_async(float* dst, const float* __restrict__ src, int r0,
                                           int n, int d) {
    constexpr int LD = D + 4;
    if ((d & 3) == 0 && (reinterpret_cast<unsigned long long>(src) & 15) == 0) {
        for (int idx = threadIdx.x; idx < R * D / 4; idx += NTHR) {
            const int r = idx / (D / 4), c = idx % (D / 4) * 4;
            const bool ok = r0 + r < n && c < d;
            cp_async16(dst + r * LD + c, ok ? src + (long long)(r0 + r) * d + c : src, ok);
        }
    } else {
        for (int idx = threadIdx.x; idx < R * D; idx += NTHR) {
            const int r = idx / D, c = idx % D;
            const bool ok = r0 + r < n && c < d;
            cp_async4(dst + r * LD + c, ok ? src + (long long)(r0 + r) * d + c : src, ok);
        }
    }
}

// acc (a warp's 16 x D strip in C layout) of the WQ = 2 partner warps summed into warp h = 0
// (a fixed order: bitwise reproducible). buf: a free [64][D + 4] smem tile. All threads call.
template <int D, int WQ>
__device__ __forceinline__ void sum_partners(float (&acc)[D / 8][4], float* buf, int rw,
                                             int h, int g, int t) {
    if (WQ == 1) return;
    constexpr int LD = D + 4;
    __syncthreads();                                   // buf may still be read as a tile
    if (h == 1) {
#pragma unroll
        for (int nt = 0; nt < D / 8; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e)
                buf[(rw + g + 8 * (e / 2)) * LD + nt * 8 + 2 * t + e % 2] = acc[nt][e];
    }
    __syncthreads();
    if (h == 0) {
#pragma unroll
        for (int nt = 0; nt < D / 8; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e)
                acc[nt][e] += buf[(rw + g + 8 * (e / 2)) * LD + nt * 8 + 2 * t + e % 2];
    }
}

// a warp's 16 x D C-layout strip (rows r0 + rw ..) times mul to a (n, d) matrix
template <int D>
__device__ __forceinline__ void store_strip(float* __restrict__ dst, const float (&acc)[D / 8][4],
                                            float mul, int r0, int n, int d, int g, int t) {
#pragma unroll
    for (int nt = 0; nt < D / 8; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            const int r = r0 + g + 8 * (e / 2), c = nt * 8 + 2 * t + e % 2;
            if (r < n && c < d) dst[(long long)r * d + c] = acc[nt][e] * mul;
        }
}

}  // namespace
