// Indirect jumps with the jump table probed inline (CodegenOptions::inline_lookup).
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

bool Emitter::try_inline_lookup(const Op &call, const Op &next) {
  const CodegenOptions::InlineLookup &il = opt_.inline_lookup;
  if (!il.lookup_fn || call.opc != Opcode::call || next.opc != Opcode::goto_ptr) return false;
  if (ir_.helper(call.cst(0)).fn != il.lookup_fn || call.nout != 1 || next.in(0) != call.out(0)) {
    return false;
  }
  ra_.begin_op(call);
  ra_.sync_globals();  // the helper reads them and the next block expects them in memory
  // The block ends here: once the globals are home every register is free.
  int pc_reg = -1;
  for (TempId t = 0; t < ir_.num_temps() && pc_reg < 0; t++) {
    const TempInfo &ti = ir_.temp(t);
    if (ti.kind == TempKind::global && ti.type == Type::i64 && ti.offset == il.pc_offset) {
      pc_reg = ra_.reg(t);
    }
  }
  const Reg64 pc(kRax), idx(kRcx), table(kRdx);
  if (pc_reg >= 0) {
    g_.mov(pc, Reg64(pc_reg));
  } else {
    g_.mov(pc, g_.qword[Reg64(kEnvReg) + il.pc_offset]);
  }
  g_.mov(Reg32(kRcx), Reg32(kRax));
  g_.shr(Reg32(kRcx), kJumpTableBits);
  g_.xor_(Reg32(kRcx), Reg32(kRax));
  g_.and_(Reg32(kRcx), (1u << kJumpTableBits) - 1);
  g_.shl(Reg32(kRcx), 4);
  static_assert(sizeof(JumpTableEntry) == 16);
  g_.db(0x64);  // fs:
  g_.mov(table, g_.qword[Xbyak::RegExp(static_cast<size_t>(static_cast<int64_t>(il.table_tls)))]);
  Xbyak::Label miss;
  g_.cmp(pc, g_.qword[table + idx]);
  g_.jne(miss);
  g_.jmp(g_.qword[table + idx + 8]);
  g_.L(miss);
  g_.mov(Reg64(kRdi), Reg64(kEnvReg));
  call_host(reinterpret_cast<const void *>(il.lookup_fn));
  g_.jmp(Reg64(kRax));
  const int out = RegAlloc::kNotComputed;
  ra_.end_op(&out);
  reachable_ = false;
  return true;
}

}  // namespace qemu::jit::x64
