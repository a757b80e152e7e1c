// A small-block cache in front of libtorch's CPU allocator.
//
// libtorch allocates every CPU tensor's data with posix_memalign(64). glibc serves aligned requests
// outside its per-thread fast bins, so a small op (an 8x8 add) spends ~15% of its time splitting,
// merging and consolidating heap chunks. This allocator keeps freed blocks of up to 4 KiB in
// per-thread lists by 64-byte size class and hands them out again; anything larger, and anything
// beyond 16 blocks per class, goes straight to posix_memalign/free as before.
//
// It is registered at load time over the default CPU allocator (c10::SetCPUAllocator), so ATen's
// own temporaries benefit too. ARCHNB_CPU_ALLOCATOR=default keeps libtorch's allocator (for
// memory checkers such as valgrind, which then see every allocation).
//
// Bigger blocks stay with glibc, but with fixed thresholds (see fix_malloc_thresholds below).
#include "archtorch.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <cstring>
#include <malloc.h>

namespace {

constexpr size_t kAlignment = 64;                         // c10's gAlignment for CPU data
constexpr size_t kClasses = 64;                           // 64, 128, ..., 4096 bytes
constexpr size_t kMaxCached = kClasses * kAlignment;
constexpr int kPerClass = 16;                             // at most ~2 MiB held per thread

struct BlockCache;
// A plain pointer in front of cache_storage: reading it skips the init guard that every access to a
// thread_local with a destructor pays. (Not initial-exec TLS: libtorch leaves no static TLS room
// for a library loaded after it.)
thread_local BlockCache* cache = nullptr;
thread_local bool cache_dead = false;

struct BlockCache {
  void* blocks[kClasses][kPerClass];
  int count[kClasses] = {};
  ~BlockCache();
};


// The cache is one object of ~8 KiB per thread; its destructor frees the blocks when the thread ends.
thread_local BlockCache cache_storage;  // first touched (and its destructor registered) in thread_cache()

BlockCache::~BlockCache() {
  // Tensors freed by later thread-exit destructors go straight to free().
  cache = nullptr;
  cache_dead = true;
  for (size_t c = 0; c < kClasses; c++)
    for (int i = 0; i < count[c]; i++) std::free(blocks[c][i]);
}

BlockCache* thread_cache() {
  if (cache != nullptr) return cache;
  if (cache_dead) return nullptr;  // the thread is exiting: plain posix_memalign/free from here on
  cache = &cache_storage;
  return cache;
}

// Size class of a request (0-based), or kClasses when it is not cached.
inline size_t class_of_request(size_t n) { return n == 0 || n > kMaxCached ? kClasses : (n - 1) / kAlignment; }

void release(void* p) {
  if (p == nullptr) return;
  // The block's real capacity decides its class, so a block is only ever reused for requests it fits.
  size_t usable = malloc_usable_size(p);
  size_t c = usable / kAlignment;  // holds at least (c)*64 bytes: class c-1
  if (c >= 1 && c <= kClasses) {
    if (BlockCache* bc = thread_cache()) {
      size_t k = c - 1;
      if (bc->count[k] < kPerClass) {
        bc->blocks[k][bc->count[k]++] = p;
        return;
      }
    }
  }
  std::free(p);
}

void* acquire(size_t n) {  // n > 0: allocate() serves empty requests itself
  size_t k = class_of_request(n);
  if (k < kClasses) {
    if (BlockCache* bc = thread_cache()) {
      if (bc->count[k] > 0) return bc->blocks[k][--bc->count[k]];
    }
    n = (k + 1) * kAlignment;
  }
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, n) != 0 || p == nullptr) {
    throw c10::Error({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                     "DefaultCPUAllocator: not enough memory: you tried to allocate " + std::to_string(n) + " bytes.");
  }
  return p;
}

// c10::Allocator changed shape in libtorch 2.x: allocate() lost its const and copy_data() became
// pure virtual. CMake probes the headers and defines these (see CMakeLists.txt).
#ifdef ARCH_ALLOCATE_IS_CONST
#define ARCH_ALLOCATE_CONST const
#else
#define ARCH_ALLOCATE_CONST
#endif

struct SmallBlockCpuAllocator final : c10::Allocator {
  c10::DataPtr allocate(size_t n) ARCH_ALLOCATE_CONST override {
    // Like c10::alloc_cpu, an empty request gets no memory at all.
    if (n == 0) return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
    void* p = acquire(n);
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }
#ifdef ARCH_ALLOCATOR_HAS_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#endif
};

SmallBlockCpuAllocator small_block_allocator;

// glibc's defaults move the mmap threshold as blocks are freed and give memory back to the kernel
// whenever more than the trim threshold sits free at the top of an arena. A training step frees most of
// what it allocated, so the next step took the same megabytes back from the kernel: about 2,300 fresh
// zero-filled pages per step of bench train's compute-bound tiny GPT (9 MiB), on every step. Fixed
// thresholds keep those pages in the process: blocks under 32 MiB (glibc's own ceiling for the moving
// threshold) come from the heap, and up to 64 MiB may stay free at an arena's top before it is
// returned. Fixing the mmap threshold also turns off glibc's adjustment of both, which is the point.
// ARCHNB_MALLOC_THRESHOLDS=system keeps glibc's behaviour.
constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrimThreshold = 64 << 20;
bool malloc_thresholds_fixed = false;

void fix_malloc_thresholds() {
  const char* choice = std::getenv("ARCHNB_MALLOC_THRESHOLDS");
  if (choice != nullptr && std::strcmp(choice, "system") == 0) return;
  malloc_thresholds_fixed = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
}

struct Registration {
  Registration() {
    fix_malloc_thresholds();
    const char* choice = std::getenv("ARCHNB_CPU_ALLOCATOR");
    if (choice != nullptr && std::strcmp(choice, "default") == 0) return;
    // Priority 1 outranks libtorch's default (0); a build that registered its own at a higher
    // priority (none of the ones we target) keeps it.
    c10::SetCPUAllocator(&small_block_allocator, 1);
    registered = true;
  }
  bool registered = false;
} registration;

}  // namespace

// 1 when the small-block cache serves CPU tensors, 0 when libtorch's own allocator does.
ARCH_API int32_t arch_cpu_allocator_cached() { return registration.registered ? 1 : 0; }

// The fixed glibc thresholds in bytes (mmap, then trim), or zeros when glibc's own adjustment is in place.
ARCH_API void arch_malloc_thresholds(int64_t* mmap_bytes, int64_t* trim_bytes) {
  *mmap_bytes = malloc_thresholds_fixed ? kMmapThreshold : 0;
  *trim_bytes = malloc_thresholds_fixed ? kTrimThreshold : 0;
}
