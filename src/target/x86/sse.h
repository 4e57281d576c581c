// SSE/SSE2 (and later) operations on xmm registers, executed by one helper (sse_helpers.cc)
// on the CPU state: the destination and source are offsets of 16-byte registers in CpuX86.
#pragma once

#include <cstdint>

#include "jit/ir/ir.h"

namespace qemu::x86 {

enum SseOp : uint16_t {
  // Packed integer.
  kPunpcklbw,
  kPunpcklwd,
  kPunpckldq,
  kPunpcklqdq,
  kPunpckhbw,
  kPunpckhwd,
  kPunpckhdq,
  kPunpckhqdq,
  kPacksswb,
  kPackssdw,
  kPackuswb,
  kPcmpgtb,
  kPcmpgtw,
  kPcmpgtd,
  kPcmpeqb,
  kPcmpeqw,
  kPcmpeqd,
  kPshufd,
  kPshufhw,
  kPshuflw,
  kPsrlw,
  kPsraw,
  kPsllw,
  kPsrld,
  kPsrad,
  kPslld,
  kPsrlq,
  kPsllq,
  kPsrldq,
  kPslldq,
  kPaddb,
  kPaddw,
  kPaddd,
  kPaddq,
  kPsubb,
  kPsubw,
  kPsubd,
  kPsubq,
  kPaddusb,
  kPaddusw,
  kPsubusb,
  kPsubusw,
  kPaddsb,
  kPaddsw,
  kPsubsb,
  kPsubsw,
  kPminub,
  kPmaxub,
  kPminsw,
  kPmaxsw,
  kPand,
  kPandn,
  kPor,
  kPxor,
  kPavgb,
  kPavgw,
  kPmullw,
  kPmulhw,
  kPmulhuw,
  kPmuludq,
  kPmaddwd,
  kPsadbw,
  // Shifts by an immediate (imm is the count).
  kPsrlwI,
  kPsrawI,
  kPsllwI,
  kPsrldI,
  kPsradI,
  kPslldI,
  kPsrlqI,
  kPsllqI,
  // Packed and scalar floating point.
  kAddps,
  kAddpd,
  kAddss,
  kAddsd,
  kSubps,
  kSubpd,
  kSubss,
  kSubsd,
  kMulps,
  kMulpd,
  kMulss,
  kMulsd,
  kDivps,
  kDivpd,
  kDivss,
  kDivsd,
  kMinps,
  kMinpd,
  kMinss,
  kMinsd,
  kMaxps,
  kMaxpd,
  kMaxss,
  kMaxsd,
  kSqrtps,
  kSqrtpd,
  kSqrtss,
  kSqrtsd,
  kRsqrtps,
  kRsqrtss,
  kRcpps,
  kRcpss,
  kAndps,
  kAndnps,
  kOrps,
  kXorps,
  kCmpps,
  kCmppd,
  kCmpss,
  kCmpsd,
  kShufps,
  kShufpd,
  kUnpcklps,
  kUnpckhps,
  kUnpcklpd,
  kUnpckhpd,
  kCvtps2pd,
  kCvtpd2ps,
  kCvtss2sd,
  kCvtsd2ss,
  kCvtdq2ps,
  kCvtps2dq,
  kCvttps2dq,
  kCvtdq2pd,
  kCvtpd2dq,
  kCvttpd2dq,
  // Moves with merging (low or high halves).
  kMovss,
  kMovsd,
  kMovlps,
  kMovhps,
  kMovhlps,
  kMovlhps,
  kMovq,  // movq: low 64, upper zero
  kCvtpi2ps,
  kCvtpi2pd,
  kCvtps2pi,
  kCvttps2pi,
  kCvtpd2pi,
  kCvttpd2pi,  // MMX <-> SSE
  kPshufw,     // MMX pshufw (the helper maps it)
  kMaskmov,    // dst: the memory's bytes, src: the mask register, imm: the data register
  // SSE3.
  kAddsubps,
  kAddsubpd,
  kHaddps,
  kHaddpd,
  kHsubps,
  kHsubpd,
  kMovsldup,
  kMovshdup,
  kMovddup,
  // SSSE3.
  kPshufb,
  kPhaddw,
  kPhaddd,
  kPhaddsw,
  kPmaddubsw,
  kPhsubw,
  kPhsubd,
  kPhsubsw,
  kPsignb,
  kPsignw,
  kPsignd,
  kPmulhrsw,
  kPabsb,
  kPabsw,
  kPabsd,
  kPalignr,
  // SSE4.1.
  kPblendvb,
  kBlendvps,
  kBlendvpd,
  kPtest,
  kPmovsxbw,
  kPmovsxbd,
  kPmovsxbq,
  kPmovsxwd,
  kPmovsxwq,
  kPmovsxdq,
  kPmovzxbw,
  kPmovzxbd,
  kPmovzxbq,
  kPmovzxwd,
  kPmovzxwq,
  kPmovzxdq,
  kPmuldq,
  kPcmpeqq,
  kPackusdw,
  kPminsb,
  kPminsd,
  kPminuw,
  kPminud,
  kPmaxsb,
  kPmaxsd,
  kPmaxuw,
  kPmaxud,
  kPmulld,
  kPhminposuw,
  kRoundps,
  kRoundpd,
  kRoundss,
  kRoundsd,
  kBlendps,
  kBlendpd,
  kPblendw,
  kInsertps,
  kDpps,
  kDppd,
  kMpsadbw,
  // SSE4.2.
  kPcmpgtq,
  kNumSseOps
};

// The floating point operations, which may raise an unmasked exception (#XM).
constexpr bool sse_op_fp(unsigned op) {
  return (op >= kAddps && op < kAndps) || (op >= kCmpps && op <= kCmpsd) ||
         (op >= kCvtps2pd && op <= kCvttpd2dq) || (op >= kCvtpi2ps && op <= kCvttpd2pi) ||
         (op >= kAddsubps && op <= kHsubpd) || (op >= kRoundps && op <= kRoundsd) || op == kDpps ||
         op == kDppd;
}

// (env, op, dst offset, src offset, imm) -> result (comparisons: flags; movmsk: the mask).
extern const jit::HelperInfo kHelperSse;
// The same for the floating point operations (sse_op_fp): it may raise #XM, so the globals are
// in memory at the call.
extern const jit::HelperInfo kHelperSseFp;
inline const jit::HelperInfo &sse_helper(unsigned op) {
  return sse_op_fp(op) ? kHelperSseFp : kHelperSse;
}
// A VEX form of a floating point operation, whole: (env, op | imm << 16 | 256 bits << 24 |
// narrowing << 25, dst register, first source register (the destination's when the form has
// none), source offset of lane 0, of lane 1). Both lanes are computed aside, then written
// (a 256-to-128 narrowing form puts each lane's low 64 bits side by side), VEX.128 zeroing the
// upper half: an #XM leaves the destination as it was.
extern const jit::HelperInfo kHelperSseVex;
// (env, kind 0 add 1 sub 2 mul 3 div, dst offset, src offset): addsd/subsd/mulsd/divsd, the one
// helper the x86-64 backend compiles inline (jit::Frontend::inline_scalar_double).
extern const jit::HelperInfo kHelperSseSd;

class Translator;
// tr_sse_lanes.cc: pcmpeq{b,w,d}, punpck*, pshufd, pslldq/psrldq as IR on the lanes at the
// CPU state offsets d and s (false: not one of those), and pmovmskb's mask of the register at s.
bool sse_lanes_ir(Translator &t, unsigned op, int64_t d, int64_t s, unsigned imm);
jit::TempId pmovmskb_ir(Translator &t, int64_t s);
// Operations whose every 64-bit lane depends on the same lane of the operands only (pcmpeqb/w/d,
// pminub/pmaxub, the bitwise logic): the result lane of a op b, in IR.
bool qword_op_ir_has(unsigned op);
jit::TempId qword_op_ir(Translator &t, unsigned op, jit::TempId a, jit::TempId b);
// tr_sse.cc: the offset of a 16-byte W operand's data (memory: loaded into xmm_tmp, after a #GP
// check of its alignment when aligned is set).
struct Insn;
int64_t sse_src16(Translator &t, const Insn &in, bool aligned);
// tr_sse.cc: logic and wrapping add/sub in IR (d op= s on a 16-byte lane), false for others;
// the bytes an operation reads from a memory source (4, 8 or 16).
bool ir_lane_op(Translator &t, unsigned op, int64_t d, int64_t s);
unsigned sse_mem_size(unsigned op);
// The same on 64-bit MMX registers (offsets of 8-byte values).
extern const jit::HelperInfo kHelperMmx;
// ucomis/comis: (env, op 0 ss / 1 sd, a offset, b offset) -> eflags (ZF PF CF).
extern const jit::HelperInfo kHelperSseCompare;
// (env, kind, value, dst offset, first source offset): cvtsi2ss/sd, the low element converted,
// the rest of the 16 bytes from the first source (the destination's offset for the legacy
// form); kind: 0 ss32 1 ss64 2 sd32 3 sd64.
extern const jit::HelperInfo kHelperCvtI2F;
// (env, kind, src offset) -> integer; kind: bit 0 double, bit 1 64-bit, bit 2 truncate.
extern const jit::HelperInfo kHelperCvtF2I;
// (env, src offset, kind) -> mask; kind 0 pmovmskb, 1 movmskps, 2 movmskpd.
extern const jit::HelperInfo kHelperMovmsk;
// (env, value) -> 0, or 1 when reserved bits are set (#GP).
extern const jit::HelperInfo kHelperLdmxcsr;
// (env, host address) fxsave / fxrstor.
extern const jit::HelperInfo kHelperFxsave;
extern const jit::HelperInfo kHelperFxrstor;
// (env, imm | explicit << 8 | mask << 9 | rex.w << 10, a offset, b offset, rax, rdx)
//   -> flags | index << 32 (pcmpestri/pcmpestrm/pcmpistri/pcmpistrm; the masks go to xmm0).
extern const jit::HelperInfo kHelperPcmpstr;

}  // namespace qemu::x86
