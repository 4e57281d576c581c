// Builds without the x86-64 backend: the engine falls back to the interpreter.
#include "jit/exec/backend.h"

namespace qemu::jit {

std::unique_ptr<Backend> make_x64_backend(const EngineOptions &) {
  return nullptr;
}

}  // namespace qemu::jit
