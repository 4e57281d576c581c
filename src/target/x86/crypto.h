// AES-NI, PCLMULQDQ and SHA (legacy SSE encodings): one helper on the xmm registers of the CPU
// state, computed with the host's own instructions when it has them, else portably.
#pragma once

#include <cstdint>

#include "jit/ir/ir.h"
#include "target/x86/cpu.h"

namespace qemu::x86 {

enum CryptoOp : uint16_t {
  kAesenc,
  kAesenclast,
  kAesdec,
  kAesdeclast,
  kAesimc,           // dst = InvMixColumns(src)
  kAeskeygenassist,  // dst = f(src, imm)
  kPclmulqdq,        // dst = dst.q[imm & 1] * src.q[imm >> 4 & 1] (carry-less)
  kSha1rnds4,        // imm: the round group 0-3
  kSha1nexte,
  kSha1msg1,
  kSha1msg2,
  kSha256rnds2,  // xmm0: the two round constants plus message words
  kSha256msg1,
  kSha256msg2,
  kNumCryptoOps
};

// (env, op, dst offset, src offset, imm): dst = op(dst, src).
extern const jit::HelperInfo kHelperCrypto;

// The operation on values (xmm0 is read by sha256rnds2 only); portable selects the C++
// implementation even where the host has the instruction (tests compare the two).
XmmReg crypto_op(unsigned op, const XmmReg &dst, const XmmReg &src, const XmmReg &xmm0,
                 unsigned imm, bool portable);

}  // namespace qemu::x86
