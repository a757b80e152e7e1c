// ArchNotebooks native shim: the C ABI between C# and libtorch.
// Small and dumb on purpose: handles, a boxed dispatcher call, data copies and error capture.
// Every export catches all C++ exceptions; the message is kept in a thread-local slot.
#pragma once
#include <stdint.h>

#define ARCH_API extern "C" __attribute__((visibility("default")))

// Tagged argument for the generic operator call. Kinds are mirrored in C# (ArgKind).
enum arch_kind : int32_t {
  ARCH_NONE = 0, ARCH_TENSOR = 1, ARCH_INT = 2, ARCH_DOUBLE = 3, ARCH_BOOL = 4,
  ARCH_INTLIST = 5, ARCH_DOUBLELIST = 6, ARCH_TENSORLIST = 7, ARCH_STRING = 8,
  ARCH_DEVICE = 9, ARCH_BOOLLIST = 10
};

typedef struct {
  int32_t kind;
  int32_t len;        // list length, string byte length
  int64_t i;          // int / bool / device type
  double d;           // double, or device index for ARCH_DEVICE
  void* p;            // tensor handle, list or string pointer
  const char* name;   // keyword name; null for positional
} arch_arg;

typedef struct {
  int32_t kind;
  int32_t len;
  int64_t i;
  double d;
  void* p;            // tensor handle, or malloc'd array of handles for lists (free with arch_free)
} arch_ret;

// Status codes of arch_call.
enum arch_status : int32_t { ARCH_OK = 0, ARCH_ERROR = 1, ARCH_MISMATCH = 2 };
