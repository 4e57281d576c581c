// Unmasked floating point exceptions: #XM (SSE/AVX, MXCSR) and #MF (x87, pending in the status
// word until the next waiting x87 instruction), raised by the helpers. Everything here is off
// the usual path: helpers look only at the mask bits until a guest unmasks an exception.
#pragma once

#include <cstdint>

#include "target/x86/cpu.h"

namespace qemu::x86 {

// MXCSR exception flags (bits 0-5; the masks are the same bits shifted left by 7).
enum MxcsrFlag : uint32_t {
  kFpIE = 0x01,  // invalid operation
  kFpDE = 0x02,  // denormal operand
  kFpZE = 0x04,  // divide by zero
  kFpOE = 0x08,  // overflow
  kFpUE = 0x10,  // underflow
  kFpPE = 0x20,  // precision (inexact)
};
// Detected before the computation: when one of them is unmasked, the post-computation ones
// (OE, UE, PE) are not looked at.
inline constexpr uint32_t kFpPre = kFpIE | kFpDE | kFpZE;

// Whether the guest's MXCSR unmasks any exception.
inline bool mxcsr_unmasked(const CpuX86 &c) {
  return (c.mxcsr & 0x1f80) != 0x1f80;
}

// x87 status word ES (bit 7) and B (bit 15): set while an exception flag is set whose mask bit
// in the control word is clear (an #MF pending for the next waiting instruction). Recomputed
// whenever the control word or a whole status word is loaded, as the processors do.
inline void x87_update_es(CpuX86 &c) {
  const bool es = c.fpus & ~c.fpuc & 0x3f;
  c.fpus = static_cast<uint16_t>((c.fpus & ~0x8080u) | (es ? 0x8080u : 0u));
}

// From a helper called by a translated block whose HelperInfo keeps the globals in memory
// (kHelperReadsGlobals): the guest state goes back to the calling instruction and the block
// exits with kExitException, exception_index excp (kExcpXM or kExcpMF).
[[noreturn]] void raise_fp_exception(CpuX86 &c, uint32_t excp);

// The checked path of an SSE/AVX helper while some exception is unmasked: for the lifetime of
// the scope the guest's MXCSR has no flags (so that the operation's own show) and no FTZ when
// underflow is unmasked (FTZ applies only to masked underflows; the analysis needs the tiny
// results). finish() then decides as the processor: when an unmasked pre-computation exception
// (IE, DE, ZE) was raised, #XM with those flags only; else the post-computation flags (post: as
// they are with the unmasked exceptions, see sse_post_flags) join them and #XM is raised when
// one is unmasked. #XM: the flags set in MXCSR and raise_fp_exception (the caller has written
// nothing yet); else MXCSR gets the flags the operation raised (masked semantics).
class SseExceptionScope {
 public:
  explicit SseExceptionScope(CpuX86 &c);
  uint32_t raised() const { return c_.mxcsr & 0x3f; }
  void finish(uint32_t post);
  void finish() { finish(raised() & ~kFpPre); }

 private:
  CpuX86 &c_;
  uint32_t saved_;
};

// finish()'s decision: the MXCSR flags of the #XM (0: none) of an operation that raised
// `raised` when run masked and whose post-computation flags are `post`, under the guest's mxcsr.
uint32_t sse_xm_flags(uint32_t mxcsr, uint32_t raised, uint32_t post);

// The post-computation flags (OE, UE, PE) of SSE operation op (SseOp) on one 16-byte lane, r
// the destination before it and s the source, as the processor raises them with the guest's
// mxcsr: an overflow or a tiny result whose exception is unmasked raises OE or UE, and PE only
// when rounding the significand (the exponent unbounded) was inexact; an unmasked underflow
// is detected on tiny results even when exact. Other elements keep the masked flags. For the
// operations without such elements (comparisons, min/max, sqrt, ...): `raised`'s.
uint32_t sse_post_flags(uint32_t mxcsr, unsigned op, const XmmReg &r, const XmmReg &s,
                        uint32_t raised);

}  // namespace qemu::x86
