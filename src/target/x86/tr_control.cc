// Control transfer: jcc, jmp, call, ret, loop/jrcxz.
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

uint64_t target_of(const Insn &in) {
  return in.next_pc + in.imm;
}

}  // namespace

void tr_jcc(Translator &t, const Insn &in) {
  CondExpr e = t.cond(in.opc & 15);
  t.sync_cc_op();
  jit::LabelId taken = t.b.label();
  t.b.brcond(Type::i64, e.c, e.a, e.b, taken);
  t.jump(in.next_pc, 0);
  t.b.set_label(taken);
  t.jump(target_of(in), 1);
}

void tr_jmp(Translator &t, const Insn &in) {
  t.jump(target_of(in), 0);
}

void tr_jmp_ind(Translator &t, const Insn &in) {
  t.jump_indirect(t.get(in, in.def->o[0]));
}

void tr_call(Translator &t, const Insn &in) {
  TempId sp = t.binop(Opcode::sub, t.reg[RSP], t.cst(8));
  t.store(sp, 8, t.cst(in.next_pc));
  t.b.mov(Type::i64, t.reg[RSP], sp);
  t.jump(target_of(in), 0);
}

void tr_call_ind(Translator &t, const Insn &in) {
  TempId target = t.get(in, in.def->o[0]);
  TempId sp = t.binop(Opcode::sub, t.reg[RSP], t.cst(8));
  t.store(sp, 8, t.cst(in.next_pc));
  t.b.mov(Type::i64, t.reg[RSP], sp);
  t.jump_indirect(target);
}

void tr_ret(Translator &t, const Insn &in) {
  TempId target = t.load(t.reg[RSP], 8);
  uint64_t pop = 8 + (in.def->o[0] == Opnd::Iw ? in.imm & 0xffff : 0);
  t.b.mov(Type::i64, t.reg[RSP], t.binop(Opcode::add, t.reg[RSP], t.cst(pop)));
  t.jump_indirect(target);
}

void tr_loop(Translator &t, const Insn &in) {
  const unsigned asize = in.addr32 ? 4 : 8;
  const unsigned kind = in.def->arg;  // loopne loope loop jrcxz
  t.sync_cc_op();
  jit::LabelId not_taken = t.b.label();
  TempId zero = t.cst(0);
  if (kind == 3) {
    t.b.brcond(Type::i64, Cond::ne, t.get_reg(in, RCX, asize), zero, not_taken);
  } else {
    TempId c = t.zext(asize, t.binop(Opcode::sub, t.reg[RCX], t.cst(1)));
    t.set_reg(in, RCX, asize, c);
    t.b.brcond(Type::i64, Cond::eq, c, zero, not_taken);
    if (kind < 2) {
      CondExpr e = t.cond(kind == 0 ? 5 : 4);  // ZF clear / set
      t.b.brcond(Type::i64, jit::cond_invert(e.c), e.a, e.b, not_taken);
    }
  }
  t.jump(target_of(in), 1);
  t.b.set_label(not_taken);
  t.jump(in.next_pc, 0);
}

}  // namespace qemu::x86
