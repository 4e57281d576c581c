// The stack frame generated code runs in (set up by CodeBuffer's prologue) and the fixed
// registers.
#pragma once

#include <cstdint>

#include "jit/backend/x64/codegen.h"

namespace qemu::jit::x64 {

// Six callee-saved pushes and the return address leave rsp 8 bytes off 16; the spill area and
// 8 bytes of padding realign it, so rsp is 16-byte aligned at every call from a block.
inline constexpr uint32_t kFrameSize = kSpillSlots * 8 + 8;

// Register numbers (Xbyak's indexes).
enum HostReg : int {
  kRax = 0,
  kRcx,
  kRdx,
  kRbx,
  kRsp,
  kRbp,
  kRsi,
  kRdi,
  kR8,
  kR9,
  kR10,
  kR11,
  kR12,
  kR13,
  kR14,
  kR15,
};
inline constexpr int kEnvReg = kR14;
inline constexpr int kGuestBaseReg = kR15;

using RegMask = uint16_t;
constexpr RegMask bit(int r) {
  return static_cast<RegMask>(1u << r);
}
inline constexpr RegMask kAnyReg = 0xffff;
inline constexpr RegMask kCallerSaved = bit(kRax) | bit(kRcx) | bit(kRdx) | bit(kRsi) | bit(kRdi) |
                                        bit(kR8) | bit(kR9) | bit(kR10) | bit(kR11);
inline constexpr int kArgRegs[6] = {kRdi, kRsi, kRdx, kRcx, kR8, kR9};

}  // namespace qemu::jit::x64
