// mul, imul (one, two and three operands), div, idiv.
#include "jit/exec/exits.h"
#include "target/x86/helpers.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

uint32_t cc_size(unsigned size) {
  return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

// The signed product of a and c (sign-extended from size) at 64 bits, low part and whether it
// overflows size.
void signed_mul(Translator &t, unsigned size, TempId a, TempId c, TempId *lo, TempId *ovf) {
  if (size == 8) {
    TempId l = t.tmp(), h = t.tmp();
    t.b.mul2(true, Type::i64, l, h, a, c);
    *lo = l;
    *ovf = t.binop(Opcode::xor_, h, t.binop(Opcode::sar, l, t.cst(63)));
    return;
  }
  TempId p = t.binop(Opcode::mul, t.sext(size, a), t.sext(size, c));
  *lo = t.zext(size, p);
  *ovf = t.binop(Opcode::xor_, p, t.sext(size, p));
}

TempId nonzero(Translator &t, TempId v) {
  TempId d = t.tmp();
  t.b.setcond(Type::i64, Cond::ne, d, v, t.cst(0));
  return d;
}

}  // namespace

void tr_mul1(Translator &t, const Insn &in) {
  const unsigned size = t.size_of(in, in.def->o[0]);
  const bool sign = in.def->arg;
  TempId c = t.get(in, in.def->o[0]);
  TempId a = t.get_reg(in, RAX, size);
  TempId lo, flag;
  if (size == 8) {
    TempId l = t.tmp(), h = t.tmp();
    t.b.mul2(sign, Type::i64, l, h, a, c);
    t.set_reg(in, RAX, 8, l);
    t.set_reg(in, RDX, 8, h);
    lo = l;
    flag = sign ? t.binop(Opcode::xor_, h, t.binop(Opcode::sar, l, t.cst(63))) : h;
  } else {
    TempId p, ovf;
    if (sign) {
      p = t.binop(Opcode::mul, t.sext(size, a), t.sext(size, c));
      ovf = t.binop(Opcode::xor_, p, t.sext(size, p));
    } else {
      p = t.binop(Opcode::mul, a, c);
      ovf = t.binop(Opcode::shr, p, t.cst(size * 8));
    }
    lo = t.zext(size, p);
    if (size == 1) {
      t.set_reg(in, RAX, 2, p);
    } else {
      t.set_reg(in, RAX, size, p);
      t.set_reg(in, RDX, size, t.binop(Opcode::shr, p, t.cst(size * 8)));
    }
    flag = ovf;
  }
  t.set_cc(kCcMul + cc_size(size), lo, nonzero(t, flag));
}

void tr_imul(Translator &t, const Insn &in) {
  const unsigned size = in.osize;
  TempId a, c;
  if (in.def->o[2] != Opnd::none) {
    a = t.get(in, in.def->o[1]);
    c = t.get(in, in.def->o[2]);
  } else {
    a = t.get(in, in.def->o[0]);
    c = t.get(in, in.def->o[1]);
  }
  TempId lo, ovf;
  signed_mul(t, size, a, c, &lo, &ovf);
  t.put(in, in.def->o[0], lo);
  t.set_cc(kCcMul + cc_size(size), lo, nonzero(t, ovf));
}

void tr_div(Translator &t, const Insn &in) {
  const unsigned size = t.size_of(in, in.def->o[0]);
  TempId c = t.get(in, in.def->o[0]);
  TempId st = t.call(kHelperDiv, {t.env_ptr(), t.cst(size | (in.def->arg ? 0x100u : 0u)), c});
  jit::LabelId ok = t.b.label();
  t.b.brcond(Type::i64, Cond::eq, st, t.cst(0), ok);
  t.gen_exception_at_label(kExcpDE, in.pc);
  t.b.set_label(ok);
}

}  // namespace qemu::x86
