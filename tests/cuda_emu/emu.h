// emu.h: run CUDA kernels on the CPU, one OS thread per CUDA thread, for logic tests in CI.
//
// Force-included (g++ -std=c++20 -include emu.h) before a kernels/*.cu file that
// tests/cuda_emu/harness.py has lightly rewritten (extern __shared__ arrays become pointers
// into the launch's dynamic shared memory). Model:
//   - blocks run one after another (any order is a legal CUDA schedule); the threads of a
//     block run concurrently as std::threads, so races between them can show up
//   - __syncthreads: barrier over the block; __syncwarp / __shfl_*_sync: barrier over the
//     warp (lanes = linear thread id / 32), values exchanged through a per-warp buffer.
//     No lockstep is assumed: code that needs warp-synchronous execution without a sync is
//     as racy here as on sm_70+
//   - a barrier that can never complete (divergent __syncthreads, a shuffle with exited lanes)
//     is reported as a deadlock instead of hanging: every live thread of the block waits
//   - shared memory (static and dynamic) is filled with 0xff bytes (NaN) at each block start;
//     writes past the dynamic size given at launch are reported
//   - atomics are std::atomic_ref operations; blocks in turn make the "last block" pattern work
//   - __half is _Float16 (round to nearest even), math is the host libm (expf, exp2f, ...)
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <pthread.h>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) alignas(n)
// static __shared__ arrays are function statics (one per instantiation, like CUDA's); the
// harness finds them in the symbol table and registers them (add_static) for poisoning
#define __shared__ static __attribute__((aligned(16)))

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
using uint3 = dim3;
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
constexpr int warpSize = 32;

namespace emu {

struct Broken {};                       // thrown into emulated threads to unwind them

struct Barrier {
    int expected = 0, count = 0;
    std::atomic<uint32_t> gen{0};
};

struct Block {
    std::mutex mu;
    int alive = 0, blocked = 0;
    std::atomic<bool> broken{false};
    std::string error;
    Barrier bar;
    std::vector<Barrier> warps;
    std::vector<uint64_t> xchg;         // 32 slots of 8 bytes per warp
    unsigned char* dyn = nullptr;

    void fail(const std::string& why) {     // caller holds mu
        if (!broken.load()) error = why;
        broken.store(true);
        for (Barrier* b : all()) { b->gen.fetch_add(1); b->gen.notify_all(); }
    }
    std::vector<Barrier*> all() {
        std::vector<Barrier*> v{&bar};
        for (auto& w : warps) v.push_back(&w);
        return v;
    }
    std::string who_waits() {
        std::string s = std::to_string(bar.count) + " thread(s) at __syncthreads";
        for (size_t w = 0; w < warps.size(); ++w)
            if (warps[w].count)
                s += ", " + std::to_string(warps[w].count) + " lane(s) of warp " +
                     std::to_string(w) + " at a warp sync/shuffle";
        return s + ", " + std::to_string(alive) + " thread(s) alive";
    }
};

inline thread_local Block* t_block = nullptr;

// (address, bytes) of every static __shared__ array, filled with 0xff at each block start
inline std::vector<std::pair<void*, size_t>>& statics() {
    static std::vector<std::pair<void*, size_t>> v;
    return v;
}

inline int linear_tid() {
    return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}
inline int nthreads() { return blockDim.x * blockDim.y * blockDim.z; }

// Arrive and wait. The last arriver releases the others; `blocked` counts threads waiting on
// an incomplete barrier, so blocked == alive means no barrier can ever complete.
inline void wait_at(Barrier& b) {
    Block& B = *t_block;
    uint32_t g;
    {
        std::lock_guard<std::mutex> lk(B.mu);
        if (B.broken.load()) throw Broken{};
        g = b.gen.load();
        if (++b.count == b.expected) {
            b.count = 0;
            B.blocked -= b.expected - 1;
            b.gen.store(g + 1);
            b.gen.notify_all();
            return;
        }
        if (++B.blocked == B.alive) {
            B.fail("deadlock: every live thread of the block waits at a barrier that cannot "
                   "complete (" + B.who_waits() + ")");
            throw Broken{};
        }
    }
    while (b.gen.load() == g) b.gen.wait(g);
    if (B.broken.load()) throw Broken{};
}

inline void check_mask(unsigned mask, const char* what) {
    const int w = linear_tid() / 32, n = std::min(32, nthreads() - 32 * w);
    const unsigned full = n == 32 ? 0xffffffffu : ((1u << n) - 1);
    if (mask != full) {
        std::lock_guard<std::mutex> lk(t_block->mu);
        t_block->fail(std::string(what) + ": only full-warp masks are emulated (mask " +
                      std::to_string(mask) + ")");
        throw Broken{};
    }
}

inline void warp_barrier() { wait_at(t_block->warps[linear_tid() / 32]); }

// Lane `lane` publishes v; returns the value lane `src` published (its own if src is invalid).
template <typename T> inline T exchange(unsigned mask, T v, int src, const char* what) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a big type");
    check_mask(mask, what);
    const int tid = linear_tid(), w = tid / 32, lane = tid % 32;
    uint64_t* slots = &t_block->xchg[32 * w];
    std::memcpy(&slots[lane], &v, sizeof(T));
    warp_barrier();
    T r;
    std::memcpy(&r, &slots[src], sizeof(T));
    warp_barrier();                    // nobody overwrites a slot before everyone has read
    return r;
}

inline unsigned lane_id() { return linear_tid() % 32; }

}  // namespace emu

// ---- synchronisation ---------------------------------------------------------------------------
inline void __syncthreads() { emu::wait_at(emu::t_block->bar); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
    emu::check_mask(mask, "__syncwarp");
    emu::warp_barrier();
}
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }

template <typename T> inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
    const int lane = emu::lane_id(), base = lane & ~(width - 1);
    return emu::exchange(mask, v, base + (src & (width - 1)), "__shfl_sync");
}
template <typename T> inline T __shfl_xor_sync(unsigned mask, T v, int m, int width = 32) {
    const int lane = emu::lane_id(), base = lane & ~(width - 1), src = lane ^ m;
    return emu::exchange(mask, v, src < base + width ? src : lane, "__shfl_xor_sync");
}
template <typename T> inline T __shfl_down_sync(unsigned mask, T v, unsigned d, int width = 32) {
    const int lane = emu::lane_id(), base = lane & ~(width - 1), src = lane + d;
    return emu::exchange(mask, v, src < base + width ? src : lane, "__shfl_down_sync");
}
template <typename T> inline T __shfl_up_sync(unsigned mask, T v, unsigned d, int width = 32) {
    const int lane = emu::lane_id(), base = lane & ~(width - 1), src = lane - (int)d;
    return emu::exchange(mask, v, src >= base ? src : lane, "__shfl_up_sync");
}
inline unsigned __ballot_sync(unsigned mask, int pred) {
    unsigned r = 0;
    for (int l = 0; l < 32; ++l) {       // 32 exchanges: slow, but nothing here uses it in loops
        const int p = __shfl_sync(mask, pred ? 1 : 0, l);
        r |= unsigned(p) << l;
    }
    return r;
}
inline int __any_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) != 0; }
inline int __all_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) == mask; }

// ---- atomics -----------------------------------------------------------------------------------
template <typename T> inline T atomicAdd(T* p, T v) {
    std::atomic_ref<T> a(*p);
    if constexpr (std::is_integral_v<T>) {
        return a.fetch_add(v);
    } else {
        T old = a.load();
        while (!a.compare_exchange_weak(old, old + v)) {}
        return old;
    }
}
template <typename T> inline T atomicSub(T* p, T v) { return std::atomic_ref<T>(*p).fetch_sub(v); }
template <typename T> inline T atomicExch(T* p, T v) { return std::atomic_ref<T>(*p).exchange(v); }
template <typename T> inline T atomicCAS(T* p, T cmp, T v) {
    std::atomic_ref<T>(*p).compare_exchange_strong(cmp, v);
    return cmp;
}
template <typename T> inline T atomicMax(T* p, T v) {
    std::atomic_ref<T> a(*p);
    T old = a.load();
    while (old < v && !a.compare_exchange_weak(old, v)) {}
    return old;
}
template <typename T> inline T atomicMin(T* p, T v) {
    std::atomic_ref<T> a(*p);
    T old = a.load();
    while (v < old && !a.compare_exchange_weak(old, v)) {}
    return old;
}
inline unsigned atomicInc(unsigned* p, unsigned lim) {
    std::atomic_ref<unsigned> a(*p);
    unsigned old = a.load();
    while (!a.compare_exchange_weak(old, old >= lim ? 0 : old + 1)) {}
    return old;
}

// ---- bit casts, math intrinsics, min/max -------------------------------------------------------
template <typename To, typename From> inline To emu_bits(From f) {
    static_assert(sizeof(To) == sizeof(From));
    To t;
    std::memcpy(&t, &f, sizeof t);
    return t;
}
inline float __int_as_float(int i) { return emu_bits<float>(i); }
inline float __int_as_float(unsigned i) { return emu_bits<float>(i); }
inline float __uint_as_float(unsigned i) { return emu_bits<float>(i); }
inline int __float_as_int(float f) { return emu_bits<int>(f); }
inline unsigned __float_as_uint(float f) { return emu_bits<unsigned>(f); }
inline double __longlong_as_double(long long i) { return emu_bits<double>(i); }
inline double __longlong_as_double(unsigned long long i) { return emu_bits<double>(i); }
inline long long __double_as_longlong(double d) { return emu_bits<long long>(d); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __log2f(float x) { return std::log2(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __frcp_rn(float a) { return 1.f / a; }
inline float __saturatef(float a) { return std::min(1.f, std::max(0.f, a)); }
inline float rsqrtf(float a) { return 1.f / std::sqrt(a); }
inline double rsqrt(double a) { return 1.0 / std::sqrt(a); }
template <typename T> inline T __ldg(const T* p) { return *p; }
#define EMU_MINMAX(T)                                                \
    inline T min(T a, T b) { return b < a ? b : a; }                 \
    inline T max(T a, T b) { return a < b ? b : a; }
EMU_MINMAX(int)
EMU_MINMAX(unsigned)
EMU_MINMAX(long)
EMU_MINMAX(unsigned long)
EMU_MINMAX(long long)
EMU_MINMAX(unsigned long long)
inline float min(float a, float b) { return std::fmin(a, b); }
inline float max(float a, float b) { return std::fmax(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }

// ---- half precision (what cuda_fp16.h provides; tests/cuda_emu/cuda_fp16.h is empty) -----------
struct __half {
    _Float16 v;
};
inline float __half2float(__half h) { return (float)h.v; }
inline __half __float2half_rn(float f) { return __half{(_Float16)f}; }
inline __half __float2half(float f) { return __float2half_rn(f); }

// ---- launch ------------------------------------------------------------------------------------
namespace emu {

constexpr size_t kGuard = 16384;        // bytes after the dynamic shared memory, checked

using Invoker = void (*)(void** args);

// Worker threads, reused across blocks and launches (thread creation dominated otherwise);
// worker i runs CUDA thread i of the current block. Small stacks: kernels keep little there.
// One pool per process (pool() is a GNU-unique static, shared by every kernel library);
// release() joins the workers, which the next launch starts again (the harness calls it
// after each test module: idle workers would otherwise stay, one per CUDA thread of the
// largest block launched).
class Pool {
  public:
    void run(int n, const std::function<void(int)>& f) {
        while ((int)workers_.size() < n) spawn();
        job_ = &f;
        done_.store(0);
        for (int i = 0; i < n; ++i) {
            workers_[i]->go.fetch_add(1);
            workers_[i]->go.notify_one();
        }
        for (int d = done_.load(); d != n; d = done_.load()) done_.wait(d);
    }

    void release() {
        for (Worker* w : workers_) {
            w->stop.store(true);
            w->go.fetch_add(1);
            w->go.notify_one();
        }
        for (Worker* w : workers_) {
            pthread_join(w->thread, nullptr);
            delete w;
        }
        workers_.clear();
    }

    int size() const { return (int)workers_.size(); }

  private:
    struct Worker {
        std::atomic<uint32_t> go{0};
        std::atomic<bool> stop{false};
        Pool* pool;
        int index;
        pthread_t thread;
    };
    static void* main(void* arg) {
        Worker& w = *static_cast<Worker*>(arg);
        for (uint32_t seen = 0;; ++seen) {
            while (w.go.load() == seen) w.go.wait(seen);
            if (w.stop.load()) return nullptr;
            (*w.pool->job_)(w.index);
            w.pool->done_.fetch_add(1);
            w.pool->done_.notify_one();
        }
    }
    void spawn() {
        auto* w = new Worker;                   // deleted by release()
        w->pool = this;
        w->index = (int)workers_.size();
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 1 << 20);
        if (pthread_create(&w->thread, &attr, &Pool::main, w) != 0) std::abort();
        pthread_attr_destroy(&attr);
        workers_.push_back(w);
    }
    std::vector<Worker*> workers_;
    const std::function<void(int)>* job_ = nullptr;
    std::atomic<int> done_{0};
};

inline Pool& pool() {
    static Pool p;
    return p;
}

inline std::mutex& launch_mutex() {                 // one launch at a time, process-wide
    static std::mutex m;
    return m;
}

// Join the pool's workers (between launches); returns how many there were.
inline int release_workers() {
    std::lock_guard<std::mutex> lock(launch_mutex());
    const int n = pool().size();
    pool().release();
    return n;
}

// Run `call(args)` on grid x block; returns "" or the error (deadlock, smem overflow).
inline std::string launch(Invoker call, void** args, dim3 grid, dim3 block, size_t dyn_bytes) {
    std::lock_guard<std::mutex> launch_lock(launch_mutex());
    Pool& pool = emu::pool();
    gridDim = grid;
    blockDim = block;
    const int nt = block.x * block.y * block.z, nw = (nt + 31) / 32;
    std::vector<unsigned char> dyn(dyn_bytes + kGuard + 16);
    unsigned char* dbase = dyn.data() + (16 - reinterpret_cast<uintptr_t>(dyn.data()) % 16) % 16;
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                for (auto [p, n] : statics()) std::memset(p, 0xff, n);
                std::memset(dbase, 0xff, dyn_bytes + kGuard);
                Block B;
                B.alive = nt;
                B.bar.expected = nt;
                B.warps = std::vector<Barrier>(nw);
                for (int w = 0; w < nw; ++w) B.warps[w].expected = std::min(32, nt - 32 * w);
                B.xchg.assign(32 * nw, 0);
                B.dyn = dbase;
                pool.run(nt, [&](int t) {
                    threadIdx = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
                    blockIdx = {bx, by, bz};
                    t_block = &B;
                    try {
                        call(args);
                    } catch (const Broken&) {
                    }
                    std::lock_guard<std::mutex> lk(B.mu);
                    if (--B.alive > 0 && B.blocked == B.alive)
                        B.fail("deadlock: a thread exited while the others wait at a "
                               "barrier that needs it (" + B.who_waits() + ")");
                });
                const std::string where = " in block (" + std::to_string(bx) + "," +
                                          std::to_string(by) + "," + std::to_string(bz) + ")";
                if (B.broken.load()) return B.error + where;
                for (size_t i = 0; i < kGuard; ++i)
                    if (dbase[dyn_bytes + i] != 0xff)
                        return "write past the " + std::to_string(dyn_bytes) +
                               " bytes of dynamic shared memory given at launch" + where;
            }
    return "";
}

inline void* dynamic_smem() { return t_block->dyn; }

// Parameter type codes, checked by the harness against the arguments it passes
// (as CuPy packs them: the kernel reads sizeof(param) bytes whatever was passed).
template <typename T> constexpr const char* code() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_pointer_v<U>) {
        using P = std::remove_cv_t<std::remove_pointer_t<U>>;
        if constexpr (std::is_same_v<P, float>) return "p:float32";
        else if constexpr (std::is_same_v<P, double>) return "p:float64";
        else if constexpr (std::is_same_v<P, __half>) return "p:float16";
        else if constexpr (std::is_same_v<P, long long> || std::is_same_v<P, long>)
            return "p:int64";
        else if constexpr (std::is_same_v<P, int>) return "p:int32";
        else return "p:any";
    } else if constexpr (std::is_same_v<U, float>) return "float32";
    else if constexpr (std::is_same_v<U, double>) return "float64";
    else if constexpr (std::is_same_v<U, bool>) return "bool";
    else if constexpr (std::is_integral_v<U> && sizeof(U) == 8)
        return std::is_signed_v<U> ? "int64" : "uint64";
    else if constexpr (std::is_integral_v<U> && sizeof(U) == 4)
        return std::is_signed_v<U> ? "int32" : "uint32";
    else return "unsupported";
}

struct Entry {
    const char* name;
    std::string sig;                    // space-separated parameter codes
    Invoker call;
};

template <auto F, typename... A, size_t... I>
void invoke(void** a, std::index_sequence<I...>) {
    F(*static_cast<std::remove_cv_t<A>*>(a[I])...);
}

template <auto F, typename... A> Entry entry_of(const char* name, void (*)(A...)) {
    std::string sig;
    ((sig += std::string(sig.empty() ? "" : " ") + code<A>()), ...);
    return {name, sig, [](void** a) { invoke<F, A...>(a, std::index_sequence_for<A...>{}); }};
}

}  // namespace emu

#define EMU_ENTRY(...) emu::entry_of<&__VA_ARGS__>(#__VA_ARGS__, &__VA_ARGS__)
