// Helper calls.
#include "jit/backend/x64/emitter.h"
#include "jit/opt/passes.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

// SysV call: arguments in rdi, rsi, rdx, rcx, r8, r9 (a parallel move from wherever they are),
// the result in rax; rsp is 16-byte aligned in blocks.
void Emitter::call_host(const void *fn) {
  const auto *p = static_cast<const uint8_t *>(fn);
  const int64_t rel = p - (g_.getCurr() + 5);
  if (rel == static_cast<int32_t>(rel)) {
    g_.call(p);
  } else {
    g_.mov(Reg64(kRax), reinterpret_cast<uintptr_t>(p));
    g_.call(Reg64(kRax));
  }
}

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
  if (try_inline_scalar_double(op)) return;
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
  call_host(reinterpret_cast<const void *>(h.fn));
  if (writes) ra_.forget_globals();
  if (op.nout) {
    if (ir_.temp(op.out(0)).type == Type::i32) g_.mov(Reg32(kRax), Reg32(kRax));
    return done(kRax);
  }
  done();
}

}  // namespace qemu::jit::x64
