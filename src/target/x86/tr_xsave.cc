// XSAVE, XSAVEOPT, XSAVEC, XRSTOR (and their 64-bit forms) and XGETBV.
#include "target/x86/translator.h"
#include "target/x86/xsave.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Type;

namespace {

// #GP unless ok holds for a (a side exit).
void gp_unless(Translator &t, const Insn &in, Cond c, TempId a, TempId b) {
  jit::LabelId ok = t.b.label();
  t.b.brcond(Type::i64, c, a, b, ok);
  t.gen_exception_at_label(kExcpGP, in.pc);
  t.b.set_label(ok);
  t.forget_ea();
}

}  // namespace

void tr_xsave(Translator &t, const Insn &in) {
  static const jit::HelperInfo *const kHelpers[] = {&kHelperXsave, &kHelperXrstor, &kHelperXsave,
                                                    &kHelperXsavec};
  gp_unless(t, in, Cond::eq, t.binop(jit::Opcode::and_, t.ea(in), t.cst(63)), t.cst(0));
  TempId a = t.ea(in);  // again: the branch ended the first one's life
  // Page faults first, precisely, when the area is not all there.
  TempId mask = t.binop(jit::Opcode::or_, t.get_reg(in, RAX, 4),
                        t.binop(jit::Opcode::shl, t.get_reg(in, RDX, 4), t.cst(32)));
  // The area's end: the AVX component's when it is requested and enabled.
  t.load(a, 8);
  TempId end = t.cst(kXsaveLegacySize - 8);
  if (xcr0() & 4) {
    end = t.tmp();
    t.b.movcond(Type::i64, Cond::ne, end, t.binop(jit::Opcode::and_, mask, t.cst(4)), t.cst(0),
                t.cst(xsave_area_size(7) - 8), t.cst(kXsaveLegacySize - 8));
  }
  t.load(t.binop(jit::Opcode::add, a, end), 8);
  TempId st = t.call(*kHelpers[in.def->arg], {t.env_ptr(), t.host_addr(a), mask});
  gp_unless(t, in, Cond::eq, st, t.cst(0));
}

void tr_xgetbv(Translator &t, const Insn &in) {
  // 0F 01 D0; D1 (xsetbv) is privileged; the rest of the row (vmfunc, xend, xtest, ...) is
  // not there.
  if ((in.rm & 7) != 0) {
    t.gen_exception((in.rm & 7) == 1 ? kExcpGP : kExcpUD, in.pc);
    return;
  }
  // XCR0, and with ECX=1 the components in use (XINUSE: x87 and SSE always, AVX while an
  // upper half is not zero).
  gp_unless(t, in, Cond::leu, t.get_reg(in, RCX, 4), t.cst(1));
  TempId v = t.cst(xcr0());
  if (xcr0() & 4) {
    v = t.tmp();
    t.b.movcond(Type::i64, Cond::eq, v, t.get_reg(in, RCX, 4), t.cst(1),
                t.call(kHelperXinuse, {t.env_ptr()}), t.cst(xcr0()));
  }
  t.set_reg(in, RAX, 4, v);
  t.set_reg(in, RDX, 4, t.cst(0));
}

}  // namespace qemu::x86
