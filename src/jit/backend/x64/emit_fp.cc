// Host SSE scalar double arithmetic inline (CodegenOptions::inline_scalar_double).
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

bool Emitter::try_inline_scalar_double(const Op &op) {
  const CodegenOptions::InlineScalarDouble &fp = opt_.inline_scalar_double;
  if (!fp.fn || ir_.helper(op.cst(0)).fn != fp.fn || op.nin != 4 || op.nout != 0) return false;
  for (unsigned i = 1; i < 4; i++) {
    if (!ra_.is_const(op.in(i))) return false;
  }
  const uint64_t kind = ra_.const_value(op.in(1));
  const uint64_t doff = ra_.const_value(op.in(2)), soff = ra_.const_value(op.in(3));
  if (kind > 3 || doff > INT32_MAX || soff > INT32_MAX) return false;
  // The caller-saved registers are empty (save_caller_saved): rax and rcx are scratch, and
  // both paths leave the allocator's state as it is.
  const Reg64 env(kEnvReg);
  const auto dptr = g_.qword[env + static_cast<int32_t>(doff)];
  const auto sptr = g_.qword[env + static_cast<int32_t>(soff)];
  const auto guest = g_.dword[env + fp.mxcsr_offset];
  const auto slot = g_.dword[Reg64(kRsp) - 8];  // the red zone
  Xbyak::Label slow, joined;
  // Usable when (host | guest's flags) == guest: the host (whose exceptions are all masked)
  // has the guest's control bits and only flags the guest has already, and the guest masks
  // every exception too (an unmasked one is the helper's to raise).
  g_.stmxcsr(slot);
  g_.mov(Reg32(kRax), guest);
  g_.mov(Reg32(kRcx), Reg32(kRax));
  g_.and_(Reg32(kRcx), 0x3f);
  g_.or_(Reg32(kRcx), slot);
  g_.cmp(Reg32(kRcx), Reg32(kRax));
  g_.jne(slow, Xbyak::CodeGenerator::T_NEAR);
  g_.movsd(Xbyak::Xmm(0), dptr);
  switch (kind) {
    case 0:
      g_.addsd(Xbyak::Xmm(0), sptr);
      break;
    case 1:
      g_.subsd(Xbyak::Xmm(0), sptr);
      break;
    case 2:
      g_.mulsd(Xbyak::Xmm(0), sptr);
      break;
    default:
      g_.divsd(Xbyak::Xmm(0), sptr);
      break;
  }
  g_.movsd(dptr, Xbyak::Xmm(0));
  g_.stmxcsr(slot);
  g_.mov(Reg32(kRax), slot);
  g_.and_(Reg32(kRax), 0x3f);
  g_.or_(guest, Reg32(kRax));
  g_.jmp(joined, Xbyak::CodeGenerator::T_NEAR);
  g_.L(slow);
  g_.mov(Reg64(kRdi), env);
  ra_.mov_imm(kRsi, kind);
  ra_.mov_imm(kRdx, doff);
  ra_.mov_imm(kRcx, soff);
  call_host(reinterpret_cast<const void *>(fp.fn));
  g_.L(joined);
  done();
  return true;
}

}  // namespace qemu::jit::x64
