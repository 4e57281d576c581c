// XSAVE and friends for the state components the CPU has: x87 (0), SSE (1) and AVX (2, the
// upper halves of the ymm registers). XCR0 is fixed by the CPU model: x87 | SSE, and AVX when
// the model advertises it.
#pragma once

#include <cstdint>

#include "jit/ir/ir.h"

namespace qemu::x86 {

inline constexpr uint64_t kXcr0Max = 7;            // x87 | SSE | AVX
inline constexpr uint32_t kXsaveLegacySize = 576;  // legacy region (512) + header (64)
inline constexpr uint32_t kXsaveYmmOffset = 576;   // component 2 (YMM_Hi128), 256 bytes

// XCR0 of the current CPU model (cpuid.cc) and the size of an XSAVE area holding its
// components (standard and compacted forms are the same size).
uint64_t xcr0();
inline uint32_t xsave_area_size(uint64_t mask) {
  return (mask & 4) ? kXsaveYmmOffset + 256 : kXsaveLegacySize;
}

// (env, host address of the 64-byte aligned area, edx:eax) -> 0, or 1 for #GP (xrstor's
// header checks). Each writes or reads the requested components among xcr0().
extern const jit::HelperInfo kHelperXsave;   // xsave and xsaveopt (standard form)
extern const jit::HelperInfo kHelperXsavec;  // compacted form
extern const jit::HelperInfo kHelperXrstor;  // either form
// (env) -> XINUSE (xgetbv with ECX=1).
extern const jit::HelperInfo kHelperXinuse;

}  // namespace qemu::x86
