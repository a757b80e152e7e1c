// Process-wide state: errors, seeds, grad mode, threads, devices and version.
#include "archtorch.h"
#include "errors.h"

#include <atomic>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/version.h>

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;

// torch.set_num_threads reaches only the calling thread: OpenMP keeps the team size per thread, and
// ATen copies its global count into a thread's setting once, the first time that thread does parallel
// work. A notebook's cells run on whichever pool thread is free, so a count set in one cell would not
// reach a thread that had already computed. Each change bumps a generation; every entry point (through
// arch_clear_error) compares it with the generation its thread last applied, and re-applies on a change.
std::atomic<int32_t> threads_requested{0};
std::atomic<uint32_t> threads_generation{0};
thread_local uint32_t threads_applied = 0;

void apply_requested_threads(uint32_t generation) {
  threads_applied = generation;
  try {
    at::set_num_threads(threads_requested.load(std::memory_order_relaxed));
  } catch (...) {
    // Never fails for a positive count on OpenMP builds; an op must not fail because of it anyway.
  }
}

inline void sync_threads() {
  uint32_t generation = threads_generation.load(std::memory_order_acquire);
  if (threads_applied != generation) apply_requested_threads(generation);
}
}  // namespace

void arch_set_error(const char* msg) { last_error = msg ? msg : "unknown error"; has_error = true; }
void arch_clear_error() {
  has_error = false;
  sync_threads();
}

// Returns the pending error message (caller frees) or null, and clears it.
ARCH_API char* arch_take_error() {
  if (!has_error) return nullptr;
  has_error = false;
  return arch_strdup(last_error);
}

ARCH_API void arch_free(void* p) { std::free(p); }

ARCH_API char* arch_version() { return arch_strdup(TORCH_VERSION); }

ARCH_API char* arch_build_info() {
  ARCH_TRY { return arch_strdup(at::show_config()); }
  ARCH_CATCH(nullptr);
}

ARCH_API void arch_manual_seed(uint64_t seed) {
  ARCH_TRY { at::manual_seed(seed); }
  ARCH_CATCH();
}

ARCH_API void arch_set_deterministic(int32_t on) {
  ARCH_TRY { at::globalContext().setDeterministicAlgorithms(on != 0, false); }
  ARCH_CATCH();
}

ARCH_API int32_t arch_get_deterministic() { return at::globalContext().deterministicAlgorithms() ? 1 : 0; }

ARCH_API int32_t arch_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
ARCH_API void arch_set_grad_enabled(int32_t on) { c10::GradMode::set_enabled(on != 0); }

ARCH_API int32_t arch_get_num_threads() {
  sync_threads();
  return at::get_num_threads();
}
ARCH_API void arch_set_num_threads(int32_t n) {
  ARCH_TRY {
    at::set_num_threads(n);
    threads_requested.store(n, std::memory_order_relaxed);
    threads_applied = threads_generation.fetch_add(1, std::memory_order_acq_rel) + 1;
  }
  ARCH_CATCH();
}

// Device counts go through the device-guard registry, an interface that is the same in
// libtorch 1.13 and 2.x (the CUDA hooks class changed shape between them).
ARCH_API int32_t arch_cuda_device_count() {
  ARCH_TRY {
    if (!at::hasCUDA()) return 0;
    return c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->deviceCount();
  }
  ARCH_CATCH(0);
}

ARCH_API int32_t arch_cuda_is_available() { return arch_cuda_device_count() > 0 ? 1 : 0; }

// Waits for all work queued on the current stream of a CUDA device.
ARCH_API void arch_cuda_synchronize(int32_t index) {
  ARCH_TRY {
    if (!at::hasCUDA()) throw std::runtime_error("CUDA is not available in this libtorch build");
    auto device = c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(index < 0 ? 0 : index));
    auto impl = c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA);
    impl->getStream(device).synchronize();
  }
  ARCH_CATCH();
}
