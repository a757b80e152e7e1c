// Error capture: no C++ exception may cross the C ABI. Each export wraps its body in
// ARCH_TRY / ARCH_CATCH(fallback); the message waits in a thread-local slot for C#.
#pragma once
#include <c10/util/Exception.h>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

void arch_set_error(const char* msg);
void arch_clear_error();

inline char* arch_strdup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

#define ARCH_TRY \
  arch_clear_error(); \
  try
#define ARCH_CATCH(fallback)                                   \
  catch (const c10::Error& e) {                                \
    arch_set_error(e.what_without_backtrace());                \
    return fallback;                                           \
  }                                                            \
  catch (const std::exception& e) {                            \
    arch_set_error(e.what());                                  \
    return fallback;                                           \
  }                                                            \
  catch (...) {                                                \
    arch_set_error("unknown native exception");                \
    return fallback;                                           \
  }
