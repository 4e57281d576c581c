// XSAVE and friends for the state components the CPU has: x87 (0) and SSE (1). XCR0 is fixed
// at their two bits; the processor-extended states (AVX, ...) do not exist.
#pragma once

#include <cstdint>

#include "jit/ir/ir.h"

namespace qemu::x86 {

inline constexpr uint64_t kXcr0 = 3;             // x87 | SSE
inline constexpr uint32_t kXsaveAreaSize = 576;  // legacy region (512) + header (64)

// (env, host address of the 64-byte aligned area, edx:eax) -> 0, or 1 for #GP (xrstor's
// header checks). Each writes or reads the requested components among kXcr0.
extern const jit::HelperInfo kHelperXsave;   // xsave and xsaveopt (standard form)
extern const jit::HelperInfo kHelperXsavec;  // compacted form
extern const jit::HelperInfo kHelperXrstor;  // either form

}  // namespace qemu::x86
