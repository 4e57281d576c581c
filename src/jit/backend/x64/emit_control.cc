// Control flow, helper calls, barriers and instruction markers.
#include "jit/backend/x64/emitter.h"
#include "jit/opt/passes.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
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

// SysV call: arguments in rdi, rsi, rdx, rcx, r8, r9 (a parallel move from wherever they are),
// the result in rax; rsp is 16-byte aligned in blocks.
void Emitter::emit_call(const Op &op) {
  const HelperInfo &h = ir_.helper(op.cst(0));
  const bool writes = call_writes_globals(ir_, op);
  if (call_reads_globals(ir_, op) || writes) ra_.sync_globals();
  const unsigned n = op.nin;
  int src[kMaxCallArgs];
  for (unsigned i = 0; i < n; i++) {
    TempId t = op.in(i);
    src[i] = ir_.temp(t).kind == TempKind::env ? kEnvReg : ra_.is_const(t) ? -1 : ra_.reg(t);
  }
  ra_.save_caller_saved();  // moves and stores only: src registers keep their values
  struct Move {
    int from, to;
  };
  Move mv[kMaxCallArgs];
  unsigned nmv = 0;
  for (unsigned i = 0; i < n; i++) {
    if (src[i] >= 0 && src[i] != kArgRegs[i]) mv[nmv++] = {src[i], kArgRegs[i]};
  }
  while (nmv) {
    bool progress = false;
    for (unsigned k = 0; k < nmv; k++) {
      bool blocked = false;
      for (unsigned j = 0; j < nmv; j++) blocked |= j != k && mv[j].from == mv[k].to;
      if (blocked) continue;
      g_.mov(Reg64(mv[k].to), Reg64(mv[k].from));
      mv[k] = mv[--nmv];
      progress = true;
      break;
    }
    if (progress) continue;
    // Only cycles left: swap one pair and redirect the moves that read either.
    Move m = mv[0];
    g_.xchg(Reg64(m.from), Reg64(m.to));
    mv[0] = mv[--nmv];
    for (unsigned j = 0; j < nmv; j++) {
      if (mv[j].from == m.to) {
        mv[j].from = m.from;
      } else if (mv[j].from == m.from) {
        mv[j].from = m.to;
      }
    }
    unsigned k = 0;
    for (unsigned j = 0; j < nmv; j++) {
      if (mv[j].from != mv[j].to) mv[k++] = mv[j];
    }
    nmv = k;
  }
  for (unsigned i = 0; i < n; i++) {
    if (src[i] < 0) ra_.copy_to(kArgRegs[i], op.in(i));
  }
  const auto *fn = reinterpret_cast<const uint8_t *>(h.fn);
  const int64_t rel = fn - (g_.getCurr() + 5);
  if (rel == static_cast<int32_t>(rel)) {
    g_.call(fn);
  } else {
    g_.mov(Reg64(kRax), reinterpret_cast<uintptr_t>(fn));
    g_.call(Reg64(kRax));
  }
  if (writes) ra_.forget_globals();
  if (op.nout) {
    if (ir_.temp(op.out(0)).type == Type::i32) g_.mov(Reg32(kRax), Reg32(kRax));
    return done(kRax);
  }
  done();
}

}  // namespace qemu::jit::x64
