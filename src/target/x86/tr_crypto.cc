// AES-NI, PCLMULQDQ and SHA (66 0F 38 DB-DF, 66 0F 3A 44/DF, NP 0F 38 C8-CD, NP 0F 3A CC):
// V = op(V, W) through the crypto helper. A memory W is 16 bytes; for AES and PCLMULQDQ it must
// be aligned (#GP), for SHA not (as AMD's processors run them; Intel documents a #GP).
// Their VEX forms (vaes*, vpclmulqdq): V = op(H, W) without alignment checks, the upper half
// zeroed for VEX.128; the AES rounds also in 256 bits (VAES, each lane on its own), as QEMU 7.2.
#include "target/x86/avx.h"
#include "target/x86/crypto.h"
#include "target/x86/env_lanes.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

namespace {

void crypto_call(Translator &t, unsigned op, int64_t d, int64_t s, uint64_t imm) {
  t.call_void(kHelperCrypto, {t.env_ptr(), t.cst(op), t.cst(static_cast<uint64_t>(d)),
                              t.cst(static_cast<uint64_t>(s)), t.cst(imm)});
}

}  // namespace

void tr_crypto(Translator &t, const Insn &in) {
  const int64_t d = ymm_lane(in.reg, 0);
  const int64_t s = sse_src16(t, in, in.def->arg <= kPclmulqdq);
  const bool has_imm = in.def->o[2] == Opnd::Ib;
  crypto_call(t, in.def->arg, d, s, has_imm ? in.imm & 0xff : 0);
}

void tr_vcrypto(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  const unsigned lanes = in.vex_l ? 2 : 1;
  const bool two_operand = op == kAesimc || op == kAeskeygenassist;  // V, W (imm)
  const uint64_t imm = (op == kAeskeygenassist || op == kPclmulqdq) ? in.imm & 0xff : 0;
  constexpr int64_t kTmp = offsetof(CpuX86, xmm_tmp);
  constexpr int64_t kScratch = offsetof(CpuX86, avx_scratch);
  if (in.is_mem()) {
    TempId a = t.ea(in);
    for (unsigned i = 0; i < 16 * lanes; i += 8) {
      st64(t, kTmp + i, t.load(i ? t.binop(jit::Opcode::add, a, t.cst(i)) : a, 8));
    }
  }
  for (unsigned lane = 0; lane < lanes; lane++) {
    const int64_t s = in.is_mem() ? kTmp + 16 * lane : ymm_lane(in.rm, lane);
    const int64_t scratch = kScratch + 16 * lane;
    if (!two_operand) copy16(t, scratch, ymm_lane(in.vex_vvvv, lane));
    crypto_call(t, op, scratch, s, imm);
  }
  for (unsigned lane = 0; lane < lanes; lane++) {
    copy16(t, ymm_lane(in.reg, lane), kScratch + 16 * lane);
  }
  if (lanes == 1) {
    zero16(t, ymm_lane(in.reg, 1));
  }
}

}  // namespace qemu::x86
