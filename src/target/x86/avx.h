// AVX, AVX2, FMA and F16C: the operations that are not VEX forms of SSE operations, and the
// helper that runs those not done in IR on whole 128/256-bit registers of the CPU state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "jit/ir/ir.h"
#include "target/x86/cpu.h"

namespace qemu::x86 {

// The handler argument of tr_avx_op, and the operation of kHelperAvx.
enum AvxOp : uint16_t {
  kVzero,  // vzeroupper (L=0), vzeroall (L=1)
  kVbroadcastss,
  kVbroadcastsd,
  kVbroadcast128,
  kVpbroadcastb,
  kVpbroadcastw,
  kVpbroadcastd,
  kVpbroadcastq,
  kVinsert128,
  kVextract128,
  kVperm2x128,
  kVpermq,  // vpermq, vpermpd (imm)
  kVpermilpdI,
  kVpblendd,
  kVblendvps,
  kVblendvpd,
  kVpblendvb,
  kVptest,
  kVtestps,
  kVtestpd,
  kVmovmskps,
  kVmovmskpd,
  kVpmovmskb,
  kVmaskmovLoad,  // vmaskmovps/pd (opc bit 0: pd), vpmaskmovd/q (W)
  kVmaskmovStore,
  // Helper operations (kHelperAvx).
  kVpermilpsV,
  kVpermilpdV,
  kVpermd,  // vpermd, vpermps
  kVpsllv,  // d/q by W
  kVpsrlv,
  kVpsrav,
  kVcmpps,
  kVcmppd,
  kVcmpss,
  kVcmpsd,
  kVcvtph2ps,
  kVcvtps2ph,
  kVfma,  // FMA3: imm = form (see tr_avx_fma)
};

// Register numbers of kHelperAvx's operands: 0-15 the ymm registers, kAvxMem the memory operand
// loaded into xmm_tmp (32 bytes).
inline constexpr unsigned kAvxMem = 16;

// (env, op | vex.l << 8 | vex.w << 9, d, a, s, imm) -> result (vtest/ptest: eflags). d, a, s
// as kAvxMem above; the destination's upper half is zeroed for VEX.128.
extern const jit::HelperInfo kHelperAvx;
// The same for the floating point operations (op >= kVcmpps), which may raise #XM: the globals
// are in memory at the call.
extern const jit::HelperInfo kHelperAvxFp;
inline const jit::HelperInfo &avx_helper(unsigned op) {
  return op >= kVcmpps ? kHelperAvxFp : kHelperAvx;
}

struct Insn;
// Whether the CPU model has what the AVX instruction needs (AVX; AVX2, FMA or F16C by its
// definition's flags); else it is #UD (insn_features.cc asks, before translating).
bool avx_usable(const Insn &in);

// The CPU state offset of 16-byte lane `lane` (0: the xmm register, 1: the upper half) of ymm n.
constexpr int64_t ymm_lane(unsigned n, unsigned lane) {
  return static_cast<int64_t>(lane ? offsetof(CpuX86, ymmh) + 16 * n
                                   : offsetof(CpuX86, xmm) + 16 * n);
}

}  // namespace qemu::x86
