// The stack: push, pop, pushf, popf, enter, leave.
#include "jit/exec/exits.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Opcode;
using jit::Type;

namespace {

void push(Translator &t, unsigned size, TempId v) {
  TempId sp = t.binop(Opcode::sub, t.reg[RSP], t.cst(size));
  t.store(sp, size, v);
  t.b.mov(Type::i64, t.reg[RSP], sp);
}

}  // namespace

void tr_push(Translator &t, const Insn &in) {
  const unsigned size = in.osize == 2 ? 2 : 8;
  TempId v = t.get(in, in.def->o[0]);
  push(t, size, v);
}

void tr_pop(Translator &t, const Insn &in) {
  const unsigned size = in.osize == 2 ? 2 : 8;
  const Opnd d = in.def->o[0];
  TempId v = t.load(t.reg[RSP], size);
  TempId sp = t.binop(Opcode::add, t.reg[RSP], t.cst(size));
  if (in.is_mem()) {
    // The address is computed with the incremented stack pointer.
    if (in.base == RSP || in.index == RSP) {
      t.b.mov(Type::i64, t.reg[RSP], sp);
      t.put(in, d, v);
    } else {
      t.put(in, d, v);
      t.b.mov(Type::i64, t.reg[RSP], sp);
    }
    return;
  }
  t.b.mov(Type::i64, t.reg[RSP], sp);
  t.put(in, d, v);
}

void tr_pushf(Translator &t, const Insn &in) {
  const unsigned size = in.osize == 2 ? 2 : 8;
  TempId other = t.tmp(), df = t.tmp(), neg = t.tmp();
  t.b.ld_env(Type::i64, other, offsetof(CpuX86, eflags), jit::kMo64);
  t.b.ld_env(Type::i64, df, offsetof(CpuX86, df), jit::kMo32 | jit::kMoSign);
  t.b.setcond(Type::i64, jit::Cond::lt, neg, df, t.cst(0));
  TempId f = t.binop(Opcode::and_, other, t.cst(~(kArithFlags | kDF | 0x30000ull)));
  f = t.binop(Opcode::or_, f, t.eflags());
  f = t.binop(Opcode::or_, f, t.binop(Opcode::shl, neg, t.cst(10)));
  f = t.binop(Opcode::or_, f, t.cst(2));
  push(t, size, f);
}

void tr_popf(Translator &t, const Insn &in) {
  const unsigned size = in.osize == 2 ? 2 : 8;
  TempId v = t.load(t.reg[RSP], size);
  t.b.mov(Type::i64, t.reg[RSP], t.binop(Opcode::add, t.reg[RSP], t.cst(size)));
  uint64_t mask = kAC | kID | kNT | kTF;
  if (size == 2) mask &= 0xffff;
  TempId other = t.tmp();
  t.b.ld_env(Type::i64, other, offsetof(CpuX86, eflags), jit::kMo64);
  other = t.binop(Opcode::or_, t.binop(Opcode::and_, other, t.cst(~mask)),
                  t.binop(Opcode::and_, v, t.cst(mask)));
  t.b.st_env(Type::i64, other, offsetof(CpuX86, eflags), jit::kMo64);
  TempId dfbit = t.binop(Opcode::and_, t.binop(Opcode::shr, v, t.cst(10)), t.cst(1));
  // 1 - 2 * bit: 1 or -1.
  TempId df = t.binop(Opcode::sub, t.cst(1), t.binop(Opcode::shl, dfbit, t.cst(1)));
  t.b.st_env(Type::i64, df, offsetof(CpuX86, df), jit::kMo32);
  t.set_flags(t.binop(Opcode::and_, v, t.cst(kArithFlags)));
  if (!t.single_step()) {
    // Setting TF: the next instruction runs in a single-step block (its key has TF), so this
    // block ends here. (In a single-step block the block ends after this instruction anyway.)
    jit::LabelId go_on = t.b.label();
    TempId tf = t.binop(Opcode::and_, v, t.cst(kTF));
    t.b.brcond(Type::i64, jit::Cond::eq, tf, t.cst(0), go_on);
    t.b.movi(Type::i64, t.rip, in.next_pc);
    t.sync_cc_op_keep_dirty();
    t.b.exit_tb(jit::kExitNext);
    t.b.set_label(go_on);
    t.forget_ea();
  }
}

void tr_enter(Translator &t, const Insn &in) {
  const unsigned size = in.osize == 2 ? 2 : 8;
  const unsigned level = in.imm2 & 31;
  TempId rbp = t.get_reg(in, RBP, 8);
  TempId sp = t.binop(Opcode::sub, t.reg[RSP], t.cst(size));
  t.store(sp, size, rbp);
  TempId frame = sp;
  for (unsigned i = 1; i < level; i++) {
    TempId v = t.load(t.binop(Opcode::sub, rbp, t.cst(i * size)), size);
    sp = t.binop(Opcode::sub, sp, t.cst(size));
    t.store(sp, size, v);
  }
  if (level) {
    sp = t.binop(Opcode::sub, sp, t.cst(size));
    t.store(sp, size, frame);
  }
  sp = t.binop(Opcode::sub, sp, t.cst(in.imm & 0xffff));
  t.set_reg(in, RBP, size, frame);
  t.b.mov(Type::i64, t.reg[RSP], sp);
}

void tr_leave(Translator &t, const Insn &in) {
  const unsigned size = in.osize == 2 ? 2 : 8;
  TempId v = t.load(t.reg[RBP], size);
  t.b.mov(Type::i64, t.reg[RSP], t.binop(Opcode::add, t.reg[RBP], t.cst(size)));
  t.set_reg(in, RBP, size, v);
}

}  // namespace qemu::x86
