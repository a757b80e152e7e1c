// Generic operator call through the c10 dispatcher: any ATen schema, arguments matched
// positionally or by keyword, the rest filled from the schema's defaults.
#include "archtorch.h"
#include "errors.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Thrown while converting arguments: the schema does not fit what was passed, so an
// overload resolver may try the next overload. Never reaches the kernel.
struct Mismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const at::Tensor& tensor_of(const arch_arg& a) {
  if (a.p == nullptr) throw Mismatch("null tensor handle");
  return *static_cast<at::Tensor*>(a.p);
}

std::string describe(const arch_arg& a) {
  switch (a.kind) {
    case ARCH_NONE: return "None";
    case ARCH_TENSOR: return "Tensor";
    case ARCH_INT: return "int";
    case ARCH_DOUBLE: return "float";
    case ARCH_BOOL: return "bool";
    case ARCH_INTLIST: return "int[]";
    case ARCH_DOUBLELIST: return "float[]";
    case ARCH_TENSORLIST: return "Tensor[]";
    case ARCH_STRING: return "str";
    case ARCH_DEVICE: return "Device";
    case ARCH_BOOLLIST: return "bool[]";
    default: return "unknown";
  }
}

[[noreturn]] void mismatch(const c10::Argument& formal, const arch_arg& a) {
  throw Mismatch("argument '" + formal.name() + "' expects " + formal.type()->str() + " but got " + describe(a));
}

c10::IValue convert(const c10::Argument& formal, const c10::TypePtr& type, const arch_arg& a);

c10::IValue convert_list(const c10::Argument& formal, const c10::TypePtr& elem, const arch_arg& a) {
  auto ek = elem->kind();
  if (ek == c10::TypeKind::IntType || ek == c10::TypeKind::SymIntType) {
    if (a.kind == ARCH_INTLIST) {
      auto p = static_cast<const int64_t*>(a.p);
      return c10::IValue(std::vector<int64_t>(p, p + a.len));
    }
    // A single int fills a sized list (kernel_size=3 for int[2]), as in Python; an unsized
    // int[] does not take one, so overload resolution can prefer an int overload (split.Tensor).
    if (a.kind == ARCH_INT && formal.N()) return c10::IValue(std::vector<int64_t>(*formal.N(), a.i));
  } else if (ek == c10::TypeKind::FloatType) {
    if (a.kind == ARCH_DOUBLELIST) {
      auto p = static_cast<const double*>(a.p);
      return c10::IValue(std::vector<double>(p, p + a.len));
    }
  } else if (ek == c10::TypeKind::BoolType) {
    if (a.kind == ARCH_BOOLLIST || a.kind == ARCH_INTLIST) {
      auto p = static_cast<const int64_t*>(a.p);
      c10::List<bool> out;
      for (int i = 0; i < a.len; i++) out.push_back(p[i] != 0);
      return c10::IValue(out);
    }
  } else if (ek == c10::TypeKind::TensorType) {
    if (a.kind == ARCH_TENSORLIST) {
      auto p = static_cast<at::Tensor* const*>(a.p);
      c10::List<at::Tensor> out;
      out.reserve(a.len);
      for (int i = 0; i < a.len; i++) {
        if (!p[i]) throw Mismatch("argument '" + formal.name() + "' has a null tensor at position " + std::to_string(i));
        out.push_back(*p[i]);
      }
      return c10::IValue(out);
    }
  } else if (ek == c10::TypeKind::OptionalType && elem->containedType(0)->kind() == c10::TypeKind::TensorType) {
    if (a.kind == ARCH_TENSORLIST) {  // Tensor?[] (index): null handles are None
      auto p = static_cast<at::Tensor* const*>(a.p);
      c10::List<c10::optional<at::Tensor>> out;
      for (int i = 0; i < a.len; i++) out.push_back(p[i] ? c10::optional<at::Tensor>(*p[i]) : c10::nullopt);
      return c10::IValue(out);
    }
  }
  mismatch(formal, a);
}

c10::IValue convert(const c10::Argument& formal, const c10::TypePtr& type, const arch_arg& a) {
  switch (type->kind()) {
    case c10::TypeKind::OptionalType:
      if (a.kind == ARCH_NONE) return c10::IValue();
      return convert(formal, type->containedType(0), a);
    case c10::TypeKind::TensorType:
      if (a.kind == ARCH_TENSOR) return c10::IValue(tensor_of(a));
      break;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    // Schemas spell dtype, layout and memory format as ints in 1.13 and as their own types
    // in later versions; both take an int IValue.
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType:
      if (a.kind == ARCH_INT) return c10::IValue(a.i);
      break;
    case c10::TypeKind::FloatType:
      if (a.kind == ARCH_DOUBLE) return c10::IValue(a.d);
      if (a.kind == ARCH_INT) return c10::IValue(static_cast<double>(a.i));
      break;
    case c10::TypeKind::BoolType:
      if (a.kind == ARCH_BOOL) return c10::IValue(a.i != 0);
      break;
    case c10::TypeKind::NumberType:  // Scalar
      if (a.kind == ARCH_INT) return c10::IValue(a.i);
      if (a.kind == ARCH_DOUBLE) return c10::IValue(a.d);
      if (a.kind == ARCH_BOOL) return c10::IValue(a.i != 0);
      break;
    case c10::TypeKind::StringType:
      if (a.kind == ARCH_STRING) return c10::IValue(std::string(static_cast<const char*>(a.p), a.len));
      break;
    case c10::TypeKind::DeviceObjType:
      if (a.kind == ARCH_DEVICE)
        return c10::IValue(c10::Device(static_cast<c10::DeviceType>(a.i), static_cast<c10::DeviceIndex>(a.d)));
      break;
    case c10::TypeKind::ListType:
      return convert_list(formal, type->containedType(0), a);
    default:
      break;
  }
  mismatch(formal, a);
}

// Convert one stack value to a return slot. Tensors become new heap handles owned by C#.
void put_return(c10::IValue& v, arch_ret& r) {
  r = arch_ret{ARCH_NONE, 0, 0, 0.0, nullptr};
  if (v.isTensor()) {
    // Move out of the stack: saves an atomic refcount increment and decrement per result.
    at::Tensor t = std::move(v).toTensor();
    if (t.defined()) { r.kind = ARCH_TENSOR; r.p = new at::Tensor(std::move(t)); }
  } else if (v.isInt()) { r.kind = ARCH_INT; r.i = v.toInt(); }
  else if (v.isDouble()) { r.kind = ARCH_DOUBLE; r.d = v.toDouble(); }
  else if (v.isBool()) { r.kind = ARCH_BOOL; r.i = v.toBool(); }
  else if (v.isTensorList()) {
    auto list = v.toTensorList();
    r.kind = ARCH_TENSORLIST;
    r.len = static_cast<int32_t>(list.size());
    auto arr = static_cast<at::Tensor**>(malloc(sizeof(at::Tensor*) * (list.size() ? list.size() : 1)));
    for (size_t i = 0; i < list.size(); i++) arr[i] = new at::Tensor(list.get(i));
    r.p = arr;
  } else if (v.isIntList()) {
    auto list = v.toIntVector();
    r.kind = ARCH_INTLIST;
    r.len = static_cast<int32_t>(list.size());
    auto arr = static_cast<int64_t*>(malloc(sizeof(int64_t) * (list.size() ? list.size() : 1)));
    std::copy(list.begin(), list.end(), arr);
    r.p = arr;
  } else if (v.isNone()) {
    r.kind = ARCH_NONE;
  } else {
    throw std::runtime_error("unsupported return type: " + v.tagKind());
  }
}

// Operators whose schema is one of a few common all-Tensor/Scalar shapes are also called
// unboxed (typed), skipping the IValue stack: about 20% less overhead for small ops.
enum Sig { SIG_BOXED = 0, SIG_T, SIG_TT, SIG_TTS, SIG_TS, SIG_TSS };

using FnT = at::Tensor(const at::Tensor&);
using FnTT = at::Tensor(const at::Tensor&, const at::Tensor&);
using FnTTS = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Scalar&);
using FnTS = at::Tensor(const at::Tensor&, const at::Scalar&);
using FnTSS = at::Tensor(const at::Tensor&, const at::Scalar&, const at::Scalar&);

struct OpEntry {
  c10::OperatorHandle op;
  Sig sig = SIG_BOXED;
  // For the typed route, precomputed from the schema: which formals are tensors, and the
  // defaults of trailing scalars (alpha=1).
  int nformals = 0;
  bool is_tensor[3] = {false, false, false};
  c10::optional<at::Scalar> defaults[3];
  // typed<>() checks the signature on every call, so the typed handle is made once, here.
  c10::optional<c10::TypedOperatorHandle<FnT>> t;
  c10::optional<c10::TypedOperatorHandle<FnTT>> tt;
  c10::optional<c10::TypedOperatorHandle<FnTTS>> tts;
  c10::optional<c10::TypedOperatorHandle<FnTS>> ts;
  c10::optional<c10::TypedOperatorHandle<FnTSS>> tss;
};

Sig classify_schema(const c10::OperatorHandle& op) {
  const auto& schema = op.schema();
  if (schema.is_mutable() || schema.is_vararg() || schema.returns().size() != 1 ||
      schema.returns()[0].type()->kind() != c10::TypeKind::TensorType)
    return SIG_BOXED;
  std::string code;
  for (const auto& a : schema.arguments()) {
    auto k = a.type()->kind();
    if (k == c10::TypeKind::TensorType) code += 'T';
    else if (k == c10::TypeKind::NumberType) code += 'S';
    else return SIG_BOXED;
  }
  if (code == "T") return SIG_T;
  if (code == "TT") return SIG_TT;
  if (code == "TTS") return SIG_TTS;
  if (code == "TS") return SIG_TS;
  if (code == "TSS") return SIG_TSS;
  return SIG_BOXED;
}

OpEntry* make_entry(const c10::OperatorHandle& op) {
  auto e = new OpEntry{op};
  Sig sig = classify_schema(op);
  if (sig == SIG_BOXED) return e;
  // typed<>() checks the C++ signature registered for the operator and throws on a mismatch;
  // then the operator simply stays on the boxed route.
  try {
    const auto& formals = op.schema().arguments();
    e->nformals = static_cast<int>(formals.size());
    for (size_t i = 0; i < formals.size(); i++) {
      e->is_tensor[i] = formals[i].type()->kind() == c10::TypeKind::TensorType;
      if (!e->is_tensor[i] && formals[i].default_value().has_value()) e->defaults[i] = formals[i].default_value()->toScalar();
    }
    switch (sig) {
      case SIG_T: e->t = op.typed<FnT>(); break;
      case SIG_TT: e->tt = op.typed<FnTT>(); break;
      case SIG_TTS: e->tts = op.typed<FnTTS>(); break;
      case SIG_TS: e->ts = op.typed<FnTS>(); break;
      case SIG_TSS: e->tss = op.typed<FnTSS>(); break;
      default: break;
    }
    e->sig = sig;
  } catch (...) {
    e->sig = SIG_BOXED;
  }
  return e;
}

at::Scalar scalar_of(const arch_arg& a) {
  if (a.kind == ARCH_INT) return at::Scalar(a.i);
  if (a.kind == ARCH_DOUBLE) return at::Scalar(a.d);
  return at::Scalar(a.i != 0);
}

// The typed route: taken only when every argument is positional and of the exact kind the
// signature needs; anything else goes through the boxed call, which also reports errors.
bool call_typed(const OpEntry& e, const arch_arg* args, int32_t nargs, arch_ret* rets) {
  if (nargs > e.nformals) return false;
  at::Scalar given[2];
  const at::Scalar* scalars[2] = {nullptr, nullptr};
  const at::Tensor* tensors[2] = {nullptr, nullptr};
  int nt = 0, ns = 0;
  for (int i = 0; i < e.nformals; i++) {
    if (i < nargs) {
      const arch_arg& a = args[i];
      if (a.name != nullptr) return false;
      if (e.is_tensor[i]) {
        if (a.kind != ARCH_TENSOR || a.p == nullptr) return false;
        tensors[nt++] = static_cast<const at::Tensor*>(a.p);
      } else {
        if (a.kind != ARCH_INT && a.kind != ARCH_DOUBLE && a.kind != ARCH_BOOL) return false;
        given[ns] = scalar_of(a);
        scalars[ns] = &given[ns];
        ns++;
      }
    } else {
      if (e.is_tensor[i] || !e.defaults[i].has_value()) return false;
      scalars[ns++] = &*e.defaults[i];
    }
  }
  at::Tensor out;
  switch (e.sig) {
    case SIG_T: out = e.t->call(*tensors[0]); break;
    case SIG_TT: out = e.tt->call(*tensors[0], *tensors[1]); break;
    case SIG_TTS: out = e.tts->call(*tensors[0], *tensors[1], *scalars[0]); break;
    case SIG_TS: out = e.ts->call(*tensors[0], *scalars[0]); break;
    case SIG_TSS: out = e.tss->call(*tensors[0], *scalars[0], *scalars[1]); break;
    default: return false;
  }
  rets[0] = arch_ret{ARCH_NONE, 0, 0, 0.0, nullptr};
  if (out.defined()) { rets[0].kind = ARCH_TENSOR; rets[0].p = new at::Tensor(std::move(out)); }
  return true;
}

// Inputs that crash libtorch 1.13 instead of raising (found by the binding's fuzz tests) are
// refused here, below every caller: typed wrappers and dynamic torch.ops calls alike.
void guard_known_crashes(const c10::FunctionSchema& schema, const torch::jit::Stack& stack) {
  const auto& name = schema.name();
  if (name == "aten::index_select" && stack.size() >= 3 && stack[0].isTensor() && stack[2].isTensor()) {
    // Selecting several values from a 0-d tensor writes past a one-element result (heap corruption).
    const auto& self = stack[0].toTensor();
    const auto& index = stack[2].toTensor();
    if (self.defined() && index.defined() && self.dim() == 0 && index.numel() > 1)
      throw std::runtime_error("index_select(): index to a 0-d tensor can have only 1 value, got " +
                               std::to_string(index.numel()) + " values");
  }
  if ((name == "aten::lstm" || name == "aten::gru" || name == "aten::rnn_tanh" || name == "aten::rnn_relu") &&
      schema.overload_name() == "input" && stack.size() >= 9) {
    // (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    // too few weights for num_layers makes libtorch read past the list.
    auto params = stack[2].toTensorList();
    bool biases = stack[3].toBool();
    int64_t layers = stack[4].toInt();
    bool bidirectional = stack[7].toBool();
    int64_t expected = layers * (bidirectional ? 2 : 1) * (biases ? 4 : 2);
    if (layers < 1 || static_cast<int64_t>(params.size()) != expected)
      throw std::runtime_error(name.substr(6) + ": expected " + std::to_string(expected) + " weight tensors for " +
                               std::to_string(layers) + " layer(s), " + (bidirectional ? "2" : "1") +
                               " direction(s)" + (biases ? " with biases" : "") + ", got " + std::to_string(params.size()));
  }
}

}  // namespace

ARCH_API void* arch_op_find(const char* name, const char* overload) {
  ARCH_TRY {
    auto op = c10::Dispatcher::singleton().findSchema(c10::OperatorName(name, overload ? overload : ""));
    if (!op.has_value()) {
      std::string full = std::string(name) + (overload && *overload ? std::string(".") + overload : "");
      throw std::runtime_error("unknown operator '" + full + "'");
    }
    return make_entry(*op);
  }
  ARCH_CATCH(nullptr);
}

ARCH_API void arch_op_free(void* op) { delete static_cast<OpEntry*>(op); }

// The overload names registered for an operator name, joined by '\n'. Caller frees.
ARCH_API char* arch_op_overloads(const char* name) {
  ARCH_TRY {
    std::string out;
    bool any = false;
    for (const auto& n : c10::Dispatcher::singleton().getAllOpNames()) {
      if (n.name == name) {
        if (any) out += '\n';
        out += n.overload_name;
        any = true;
      }
    }
    if (!any) throw std::runtime_error(std::string("unknown operator '") + name + "'");
    return arch_strdup(out);
  }
  ARCH_CATCH(nullptr);
}

ARCH_API char* arch_op_schema(void* op) {
  ARCH_TRY { return arch_strdup(c10::toString(static_cast<OpEntry*>(op)->op.schema())); }
  ARCH_CATCH(nullptr);
}

ARCH_API int32_t arch_call(void* opp, const arch_arg* args, int32_t nargs, arch_ret* rets, int32_t maxrets,
                           int32_t* nrets) {
  arch_clear_error();
  try {
    const auto& entry = *static_cast<OpEntry*>(opp);
    if (entry.sig != SIG_BOXED && maxrets >= 1 && call_typed(entry, args, nargs, rets)) {
      *nrets = 1;
      return ARCH_OK;
    }
    const auto& op = entry.op;
    const auto& schema = op.schema();
    const auto& formals = schema.arguments();
    int npos = 0;
    while (npos < nargs && args[npos].name == nullptr) npos++;
    if (npos > static_cast<int>(formals.size()))
      throw Mismatch(schema.name() + " takes " + std::to_string(formals.size()) + " arguments but " +
                     std::to_string(npos) + " were given");
    // One stack per thread, reused: saves a heap allocation on every call.
    thread_local torch::jit::Stack stack;
    stack.clear();
    int used_kw = 0;
    for (size_t i = 0; i < formals.size(); i++) {
      const auto& f = formals[i];
      const arch_arg* a = nullptr;
      if (static_cast<int>(i) < npos) {
        if (f.kwarg_only()) throw Mismatch("argument '" + f.name() + "' is keyword-only");
        a = &args[i];
      } else {
        for (int k = npos; k < nargs; k++)
          if (f.name() == args[k].name) { a = &args[k]; used_kw++; break; }
      }
      if (a) stack.push_back(convert(f, f.type(), *a));
      else if (f.default_value().has_value()) stack.push_back(*f.default_value());
      else throw Mismatch("missing required argument '" + f.name() + "'");
    }
    if (used_kw != nargs - npos) {
      for (int k = npos; k < nargs; k++) {
        bool known = false;
        for (const auto& f : formals) known = known || f.name() == args[k].name;
        if (!known) throw Mismatch(std::string("unexpected keyword argument '") + args[k].name + "'");
      }
    }
    guard_known_crashes(schema, stack);
    op.callBoxed(&stack);
    if (static_cast<int>(stack.size()) > maxrets)
      throw std::runtime_error("operator returned " + std::to_string(stack.size()) + " values; at most " +
                               std::to_string(maxrets) + " are supported");
    for (size_t i = 0; i < stack.size(); i++) put_return(stack[i], rets[i]);
    *nrets = static_cast<int32_t>(stack.size());
    stack.clear();  // drop our references now, not at the next call
    return ARCH_OK;
  } catch (const Mismatch& e) {
    arch_set_error(e.what());
    return ARCH_MISMATCH;
  } catch (const c10::Error& e) {
    arch_set_error(e.what_without_backtrace());
    return ARCH_ERROR;
  } catch (const std::exception& e) {
    arch_set_error(e.what());
    return ARCH_ERROR;
  } catch (...) {
    arch_set_error("unknown native exception");
    return ARCH_ERROR;
  }
}
