// Comparisons: setcond, movcond, brcond.
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

X86Cond x86_cond(Cond c) {
  switch (c) {
    case Cond::eq:
      return X86Cond::e;
    case Cond::ne:
      return X86Cond::ne;
    case Cond::lt:
      return X86Cond::l;
    case Cond::ge:
      return X86Cond::ge;
    case Cond::le:
      return X86Cond::le;
    case Cond::gt:
      return X86Cond::g;
    case Cond::ltu:
      return X86Cond::b;
    case Cond::geu:
      return X86Cond::ae;
    case Cond::leu:
      return X86Cond::be;
    case Cond::gtu:
      return X86Cond::a;
    default:  // never/always are handled by the callers
      return X86Cond::e;
  }
}

X86Cond Emitter::compare(Type t, TempId a, TempId b, Cond c) {
  if (ra_.is_const(a) && !ra_.is_const(b)) {
    std::swap(a, b);
    c = cond_swap(c);
  }
  const int rs = ra_.use(a);
  if (imm_ok(b, t)) {
    if (ra_.const_value(b) == 0) {
      g_.test(R(rs, t), R(rs, t));  // same flags as cmp with 0 for every condition
    } else {
      g_.cmp(R(rs, t), imm(b));
    }
  } else if (ra_.dying_in_memory(b)) {
    g_.cmp(R(rs, t), ra_.global_addr(b));
  } else {
    const int rb = ra_.use(b);
    g_.cmp(R(rs, t), R(rb, t));
  }
  return x86_cond(c);
}

void Emitter::setcc(X86Cond c, const Xbyak::Reg8 &r) {
  switch (c) {
    case X86Cond::o:
      return g_.seto(r);
    case X86Cond::no:
      return g_.setno(r);
    case X86Cond::b:
      return g_.setb(r);
    case X86Cond::ae:
      return g_.setae(r);
    case X86Cond::e:
      return g_.sete(r);
    case X86Cond::ne:
      return g_.setne(r);
    case X86Cond::be:
      return g_.setbe(r);
    case X86Cond::a:
      return g_.seta(r);
    case X86Cond::s:
      return g_.sets(r);
    case X86Cond::ns:
      return g_.setns(r);
    case X86Cond::p:
      return g_.setp(r);
    case X86Cond::np:
      return g_.setnp(r);
    case X86Cond::l:
      return g_.setl(r);
    case X86Cond::ge:
      return g_.setge(r);
    case X86Cond::le:
      return g_.setle(r);
    case X86Cond::g:
      return g_.setg(r);
  }
}

void Emitter::cmovcc(X86Cond c, const Reg &d, const Reg &s) {
  switch (c) {
    case X86Cond::o:
      return g_.cmovo(d, s);
    case X86Cond::no:
      return g_.cmovno(d, s);
    case X86Cond::b:
      return g_.cmovb(d, s);
    case X86Cond::ae:
      return g_.cmovae(d, s);
    case X86Cond::e:
      return g_.cmove(d, s);
    case X86Cond::ne:
      return g_.cmovne(d, s);
    case X86Cond::be:
      return g_.cmovbe(d, s);
    case X86Cond::a:
      return g_.cmova(d, s);
    case X86Cond::s:
      return g_.cmovs(d, s);
    case X86Cond::ns:
      return g_.cmovns(d, s);
    case X86Cond::p:
      return g_.cmovp(d, s);
    case X86Cond::np:
      return g_.cmovnp(d, s);
    case X86Cond::l:
      return g_.cmovl(d, s);
    case X86Cond::ge:
      return g_.cmovge(d, s);
    case X86Cond::le:
      return g_.cmovle(d, s);
    case X86Cond::g:
      return g_.cmovg(d, s);
  }
}

void Emitter::jcc(X86Cond c, const Xbyak::Label &l) {
  using Xbyak::CodeGenerator;
  switch (c) {
    case X86Cond::o:
      return g_.jo(l, CodeGenerator::T_NEAR);
    case X86Cond::no:
      return g_.jno(l, CodeGenerator::T_NEAR);
    case X86Cond::b:
      return g_.jb(l, CodeGenerator::T_NEAR);
    case X86Cond::ae:
      return g_.jae(l, CodeGenerator::T_NEAR);
    case X86Cond::e:
      return g_.je(l, CodeGenerator::T_NEAR);
    case X86Cond::ne:
      return g_.jne(l, CodeGenerator::T_NEAR);
    case X86Cond::be:
      return g_.jbe(l, CodeGenerator::T_NEAR);
    case X86Cond::a:
      return g_.ja(l, CodeGenerator::T_NEAR);
    case X86Cond::s:
      return g_.js(l, CodeGenerator::T_NEAR);
    case X86Cond::ns:
      return g_.jns(l, CodeGenerator::T_NEAR);
    case X86Cond::p:
      return g_.jp(l, CodeGenerator::T_NEAR);
    case X86Cond::np:
      return g_.jnp(l, CodeGenerator::T_NEAR);
    case X86Cond::l:
      return g_.jl(l, CodeGenerator::T_NEAR);
    case X86Cond::ge:
      return g_.jge(l, CodeGenerator::T_NEAR);
    case X86Cond::le:
      return g_.jle(l, CodeGenerator::T_NEAR);
    case X86Cond::g:
      return g_.jg(l, CodeGenerator::T_NEAR);
  }
}

void Emitter::emit_setcond(const Op &op) {
  const Type t = op.type;
  const Cond c = static_cast<Cond>(op.cst(0));
  int rd;
  if (c == Cond::never || c == Cond::always) {
    rd = ra_.scratch();
    g_.mov(Reg32(rd), c == Cond::always ? 1 : 0);
  } else {
    X86Cond cc = compare(t, op.in(0), op.in(1), c);
    rd = ra_.out_reg({op.in(0), op.in(1)});
    setcc(cc, Reg64(rd).cvt8());
    g_.movzx(Reg32(rd), Reg64(rd).cvt8());
  }
  done(rd);
}

void Emitter::emit_movcond(const Op &op) {
  const Type t = op.type;
  const Cond c = static_cast<Cond>(op.cst(0));
  TempId x = op.in(2), y = op.in(3);
  int rd;
  if (c == Cond::never || c == Cond::always) {
    TempId v = c == Cond::always ? x : y;
    if (ra_.is_const(v)) {
      rd = ra_.scratch();
      ra_.mov_imm(rd, ra_.const_value(v));
    } else {
      int rv = ra_.use(v);
      rd = ra_.out_reg({v});
      mov_rr(rd, rv, t);
    }
    return done(rd);
  }
  X86Cond cc = compare(t, op.in(0), op.in(1), c);
  const int rx = ra_.use(x);
  const int ry0 = ra_.is_const(y) ? -1 : ra_.use(y);
  if (ry0 >= 0 && ra_.reusable(y)) {
    rd = ry0;
    cmovcc(cc, R(rd, t), R(rx, t));
  } else if (ra_.reusable(x) && x != y) {
    rd = rx;
    const int ry = ra_.use(y);
    cmovcc(invert(cc), R(rd, t), R(ry, t));
  } else {
    rd = ra_.scratch();
    ra_.copy_to(rd, y);
    cmovcc(cc, R(rd, t), R(rx, t));
  }
  done(rd);
}

void Emitter::emit_brcond(const Op &op) {
  const Cond c = static_cast<Cond>(op.cst(0));
  const Xbyak::Label &l = labels_[op.cst(1)];
  if (c == Cond::never) return done();
  if (c == Cond::always) {
    ra_.flush();
    g_.jmp(l, Xbyak::CodeGenerator::T_NEAR);
    return done();
  }
  X86Cond cc = compare(op.type, op.in(0), op.in(1), c);
  ra_.flush();  // stores only: the flags survive
  jcc(cc, l);
  done();
}

}  // namespace qemu::jit::x64
