// Functions called from generated code (jit::HelperInfo each): flag computation, division,
// atomics, string and system instructions, SSE.
#pragma once

#include "jit/ir/ir.h"

namespace qemu::x86 {

extern const jit::HelperInfo kHelperEflags;     // (cc_op, dst, src, src2) -> flags
extern const jit::HelperInfo kHelperDiv;        // (env, size | signed << 8, divisor) -> 0 / #DE
extern const jit::HelperInfo kHelperRcx;        // (env, value, count, size | right << 8) -> result
extern const jit::HelperInfo kHelperAtomicRmw;  // (host, op | size << 8, src, carry) -> old
extern const jit::HelperInfo kHelperAtomicCmpxchg;  // (host, expected, new, size) -> old
extern const jit::HelperInfo kHelperCmpxchg16b;     // (env, host, size 8/16) -> ZF
extern const jit::HelperInfo kHelperCpuid;          // (env)
extern const jit::HelperInfo kHelperRdtsc;          // () -> tsc
extern const jit::HelperInfo kHelperRdrand;         // () -> value (never fails)
extern const jit::HelperInfo kHelperPdep;           // (src, mask) -> result
extern const jit::HelperInfo kHelperPext;           // (src, mask) -> result
extern const jit::HelperInfo kHelperCrc32;          // (crc, value, size) -> crc

// Operations of kHelperAtomicRmw.
enum AtomicOp : uint32_t {
  kAtomicAdd,
  kAtomicOr,
  kAtomicAdc,
  kAtomicSbb,
  kAtomicAnd,
  kAtomicSub,
  kAtomicXor,
  kAtomicXchg,
  kAtomicNot,
  kAtomicNeg,
};

// CPUID as the guest sees it.
void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

}  // namespace qemu::x86
