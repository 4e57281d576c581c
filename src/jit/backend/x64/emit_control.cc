// Control flow, barriers and instruction markers.
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg64;

void Emitter::emit_set_label(const Op &op) {
  if (reachable_) ra_.flush();  // the fall-through path: homes hold everything
  g_.L(labels_[op.cst(0)]);
  ra_.forget_all();
  reachable_ = true;
  done();
}

void Emitter::emit_br(const Op &op) {
  ra_.flush();
  g_.jmp(labels_[op.cst(0)], Xbyak::CodeGenerator::T_NEAR);
  done();
}

void Emitter::emit_exit_tb(const Op &op) {
  ra_.sync_globals();
  ra_.mov_imm(kRax, op.cst(0));
  g_.jmp(buf_.epilogue(), Xbyak::CodeGenerator::T_NEAR);
  done();
}

void Emitter::emit_goto_tb(const Op &op) {
  ra_.sync_globals();
  const unsigned slot = static_cast<unsigned>(op.cst(0));
  // The displacement (after the 0xe9 byte) must be 4-byte aligned for an atomic patch.
  const uintptr_t at = reinterpret_cast<uintptr_t>(g_.getCurr());
  const size_t pad = (3 - (at & 3)) & 3;
  if (pad) g_.nop(pad);
  if (slot < 2) out_->jmp_offset[slot] = static_cast<uint32_t>(g_.getSize());
  g_.db(0xe9);
  g_.dd(0);  // to the next instruction until patched
  if (slot < 2) out_->jmp_reset_offset[slot] = static_cast<uint32_t>(g_.getSize());
  done();
}

void Emitter::emit_goto_ptr(const Op &op) {
  ra_.sync_globals();
  const int r = ra_.use(op.in(0));
  g_.jmp(Reg64(r));
  done();
}

void Emitter::emit_mb(const Op &op) {
  // x86 is TSO: only a store followed by a load can be reordered.
  const uint64_t kind = op.cst(0);
  if (kind == 0 || (kind & kMbStLd)) g_.mfence();
  done();
}

void Emitter::emit_insn_start(const Op &op) {
  map_.add(static_cast<uint32_t>(g_.getSize()), op.cst(0), op.cst(1));
  done();
}

}  // namespace qemu::jit::x64
