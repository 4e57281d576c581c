// String instructions: movs cmps stos lods scas, with rep/repe/repne. A repeated instruction
// does one iteration per pass and jumps back to itself (chained), so a fault or an interrupt
// between iterations leaves exact registers.
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

enum StrOp { kMovs, kCmps, kStos, kLods, kScas };

uint32_t cc_size(unsigned size) {
  return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

}  // namespace

void tr_string(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg & 7;
  const unsigned size = (in.def->arg & 8) ? 1 : in.osize;
  const unsigned asize = in.addr32 ? 4 : 8;
  const bool rep = in.rep != 0;
  jit::LabelId done = 0;
  TempId zero = t.cst(0);
  if (rep) {
    t.sync_cc_op();
    done = t.b.label();
    t.b.brcond(Type::i64, Cond::eq, t.get_reg(in, RCX, asize), zero, done);
  }
  TempId df = t.tmp();
  t.b.ld_env(Type::i64, df, offsetof(CpuX86, df), jit::kMo32 | jit::kMoSign);
  TempId delta = size == 1 ? df : t.binop(Opcode::mul, df, t.cst(size));
  Insn noseg = in;
  noseg.seg = kSegNone;
  TempId si = t.get_reg(in, RSI, asize), di = t.get_reg(in, RDI, asize);
  switch (op) {
    case kMovs: {
      TempId v = t.load(t.seg_addr(in, si), size);
      t.store(t.seg_addr(noseg, di), size, v);
      break;
    }
    case kStos:
      t.store(t.seg_addr(noseg, di), size, t.get_reg(in, RAX, size));
      break;
    case kLods:
      t.set_reg(in, RAX, size, t.load(t.seg_addr(in, si), size));
      break;
    case kScas: {
      TempId v = t.load(t.seg_addr(noseg, di), size);
      TempId a = t.get_reg(in, RAX, size);
      t.set_cc(kCcSub + cc_size(size), t.zext(size, t.binop(Opcode::sub, a, v)), v);
      break;
    }
    default: {
      TempId a = t.load(t.seg_addr(in, si), size);
      TempId v = t.load(t.seg_addr(noseg, di), size);
      t.set_cc(kCcSub + cc_size(size), t.zext(size, t.binop(Opcode::sub, a, v)), v);
      break;
    }
  }
  if (op == kMovs || op == kLods || op == kCmps) {
    t.set_reg(in, RSI, asize, t.binop(Opcode::add, si, delta));
  }
  if (op != kLods) t.set_reg(in, RDI, asize, t.binop(Opcode::add, di, delta));
  if (!rep) return;
  TempId c = t.zext(asize, t.binop(Opcode::sub, t.reg[RCX], t.cst(1)));
  t.set_reg(in, RCX, asize, c);
  t.sync_cc_op();
  if (op == kCmps || op == kScas) {
    // repe (F3) stops when ZF is clear, repne (F2) when it is set.
    CondExpr e = t.cond(in.rep == 0xf3 ? 5 : 4);
    t.b.brcond(Type::i64, e.c, e.a, e.b, done);
  }
  t.b.brcond(Type::i64, Cond::eq, t.get_reg(in, RCX, asize), zero, done);
  t.jump(in.pc, 1);
  t.b.set_label(done);
  t.cc_op = kCcDynamic;
  t.cc_dirty = false;
  t.jump(in.next_pc, 0);
}

}  // namespace qemu::x86
