// Tensor handles: ownership, metadata, host data copies and autograd entry points.
// A handle is a heap at::Tensor; C# owns exactly one reference per handle.
#include "archtorch.h"
#include "errors.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <cstring>

namespace {
inline at::Tensor& T(void* h) { return *static_cast<at::Tensor*>(h); }
inline void* own(const at::Tensor& t) { return t.defined() ? new at::Tensor(t) : nullptr; }
}  // namespace

ARCH_API void arch_tensor_free(void* h) { delete static_cast<at::Tensor*>(h); }

ARCH_API void* arch_tensor_alias(void* h) {
  ARCH_TRY { return own(T(h)); }
  ARCH_CATCH(nullptr);
}

ARCH_API int32_t arch_tensor_dim(void* h) { return static_cast<int32_t>(T(h).dim()); }
ARCH_API int64_t arch_tensor_numel(void* h) { return T(h).numel(); }
// Address of the first element (0 for a tensor without storage); reads no data.
ARCH_API int64_t arch_tensor_data_ptr(void* h) {
  ARCH_TRY {
    const auto& t = T(h);
    return t.has_storage() ? reinterpret_cast<int64_t>(t.data_ptr()) : 0;
  }
  ARCH_CATCH(0);
}
ARCH_API int32_t arch_tensor_dtype(void* h) { return static_cast<int32_t>(T(h).scalar_type()); }
ARCH_API int32_t arch_tensor_element_size(void* h) { return static_cast<int32_t>(T(h).element_size()); }
ARCH_API int32_t arch_tensor_requires_grad(void* h) { return T(h).requires_grad() ? 1 : 0; }
ARCH_API int32_t arch_tensor_is_leaf(void* h) { return T(h).is_leaf() ? 1 : 0; }
ARCH_API int32_t arch_tensor_is_contiguous(void* h) { return T(h).is_contiguous() ? 1 : 0; }

ARCH_API void arch_tensor_sizes(void* h, int64_t* out) {
  auto s = T(h).sizes();
  std::memcpy(out, s.data(), s.size() * sizeof(int64_t));
}

ARCH_API void arch_tensor_strides(void* h, int64_t* out) {
  auto s = T(h).strides();
  std::memcpy(out, s.data(), s.size() * sizeof(int64_t));
}

ARCH_API void arch_tensor_device(void* h, int32_t* type, int32_t* index) {
  auto d = T(h).device();
  *type = static_cast<int32_t>(d.type());
  *index = d.has_index() ? d.index() : -1;
}

ARCH_API void arch_tensor_set_requires_grad(void* h, int32_t on) {
  ARCH_TRY { T(h).set_requires_grad(on != 0); }
  ARCH_CATCH();
}

ARCH_API void* arch_tensor_grad(void* h) {
  ARCH_TRY { return own(T(h).grad()); }
  ARCH_CATCH(nullptr);
}

// Replaces .grad; a null handle clears it (zero_grad with set_to_none).
ARCH_API void arch_tensor_set_grad(void* h, void* g) {
  ARCH_TRY { T(h).mutable_grad() = g ? T(g) : at::Tensor(); }
  ARCH_CATCH();
}

ARCH_API void arch_tensor_retain_grad(void* h) {
  ARCH_TRY { T(h).retain_grad(); }
  ARCH_CATCH();
}

ARCH_API char* arch_tensor_grad_fn(void* h) {
  ARCH_TRY {
    const auto& fn = T(h).grad_fn();
    return fn ? arch_strdup(fn->name()) : nullptr;
  }
  ARCH_CATCH(nullptr);
}

// retain_graph: -1 = default (same as create_graph), 0 = false, 1 = true.
ARCH_API void arch_tensor_backward(void* h, void* grad, int32_t retain_graph, int32_t create_graph) {
  ARCH_TRY {
    c10::optional<bool> retain;
    if (retain_graph >= 0) retain = retain_graph != 0;
    T(h).backward(grad ? T(grad) : at::Tensor(), retain, create_graph != 0);
  }
  ARCH_CATCH();
}

// torch.autograd.grad: writes ninputs handles (null where unused and allow_unused).
ARCH_API void arch_autograd_grad(void** outputs, int32_t nout, void** grad_outputs, void** inputs, int32_t nin,
                                 int32_t retain_graph, int32_t create_graph, int32_t allow_unused, void** result) {
  ARCH_TRY {
    std::vector<at::Tensor> outs, gouts, ins;
    for (int i = 0; i < nout; i++) {
      outs.push_back(T(outputs[i]));
      gouts.push_back(grad_outputs && grad_outputs[i] ? T(grad_outputs[i]) : at::Tensor());
    }
    for (int i = 0; i < nin; i++) ins.push_back(T(inputs[i]));
    c10::optional<bool> retain;
    if (retain_graph >= 0) retain = retain_graph != 0;
    auto grads = torch::autograd::grad(outs, ins, gouts, retain, create_graph != 0, allow_unused != 0);
    for (int i = 0; i < nin; i++) result[i] = own(grads[i]);
  }
  ARCH_CATCH();
}

// Copies host memory into a new tensor of the given dtype, then moves it to the device.
ARCH_API void* arch_tensor_from_data(const void* data, const int64_t* dims, int32_t ndim, int32_t dtype,
                                     int32_t device_type, int32_t device_index, int32_t requires_grad) {
  ARCH_TRY {
    auto opts = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    at::Tensor t = at::empty(at::IntArrayRef(dims, ndim), opts);
    if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    auto dev = c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
    if (dev.type() != c10::DeviceType::CPU) t = t.to(dev);
    if (requires_grad) t.set_requires_grad(true);
    return own(t);
  }
  ARCH_CATCH(nullptr);
}

// Copies the elements (row-major, on the host) into dst, which holds nbytes.
ARCH_API void arch_tensor_to_data(void* h, void* dst, int64_t nbytes) {
  ARCH_TRY {
    at::Tensor t = T(h).detach().to(at::kCPU).contiguous();
    int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
    if (need != nbytes)
      throw std::runtime_error("destination holds " + std::to_string(nbytes) + " bytes but the tensor needs " +
                               std::to_string(need));
    // Autograd returns storage-less "efficient zero tensors" (e.g. the gradient of sgn); they have no data to copy.
    if (t._is_zerotensor()) std::memset(dst, 0, need);
    else if (need > 0) std::memcpy(dst, t.data_ptr(), need);
  }
  ARCH_CATCH();
}

ARCH_API double arch_tensor_item_double(void* h) {
  ARCH_TRY { return T(h).item<double>(); }
  ARCH_CATCH(0.0);
}

ARCH_API int64_t arch_tensor_item_int64(void* h) {
  ARCH_TRY { return T(h).item<int64_t>(); }
  ARCH_CATCH(0);
}
