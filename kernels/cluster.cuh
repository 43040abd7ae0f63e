// cluster.cuh: what the thread-block-cluster kernels share (sm_90+, nvcc / NVRTC only).
//
//   MG_HAS_CLUSTERS      defined when cooperative_groups has cluster_group; the cluster kernels
//                        sit inside #if defined(MG_HAS_CLUSTERS), so the CPU emulator and
//                        older toolkits never see them (launchers ask only on cc >= 9.0)
//   cg::                 cooperative_groups (this_cluster, map_shared_rank, barrier_arrive/wait)
//   cp_async16(dst, src) a 16-byte global -> shared copy (cp.async.cg, sm_80+) that holds no
//                        register while in flight; cp_async_wait_all() waits for this thread's
//
// The pattern every cluster kernel here follows, per row (one cluster of CLUSTER blocks):
// each block reduces its slice, publishes its partial in static smem, cluster.sync(), every
// warp reads all CLUSTER partials through distributed shared memory (lane r reads block r) and
// merges them with one butterfly, so every block gets the same bits; then barrier_arrive(),
// and barrier_wait() before the next row's publish (or before exit), so no block overwrites or
// leaves while another still reads its partial.
#pragma once
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#include <cooperative_groups.h>
#endif
#if defined(_CG_HAS_CLUSTER_GROUP)
#define MG_HAS_CLUSTERS 1
namespace cg = cooperative_groups;

namespace mg {
__device__ __forceinline__ void cp_async16(void* dst, const void* src) {
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(dst));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(src) : "memory");
}
__device__ __forceinline__ void cp_async_wait_all() {
    asm volatile("cp.async.wait_all;\n" ::: "memory");
}
}  // namespace mg
#endif
