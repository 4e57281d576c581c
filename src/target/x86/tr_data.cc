// Data movement and conversions: mov, movzx/movsx/movsxd, lea, xchg, xadd, cmpxchg,
// cmpxchg8b/16b, bswap, cbw/cwd families, lahf/sahf, flag instructions, cmovcc, setcc, movbe.
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

}  // namespace

void tr_mov(Translator &t, const Insn &in) {
  t.put(in, in.def->o[0], t.get(in, in.def->o[1]));
}

void tr_movx(Translator &t, const Insn &in) {
  const unsigned ss = t.size_of(in, in.def->o[1]);
  TempId v = t.get(in, in.def->o[1]);
  if (in.def->arg) v = t.sext(ss, v);
  t.put(in, in.def->o[0], v);
}

void tr_lea(Translator &t, const Insn &in) {
  Insn noseg = in;
  noseg.seg = kSegNone;
  t.put(in, in.def->o[0], t.ea(noseg));
}

void tr_xchg(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0], s = in.def->o[1];
  const unsigned size = t.size_of(in, d);
  if (in.opc == 0x90 && !(in.rex & 1)) return;  // nop (and pause)
  TempId c = t.get(in, s);
  if (in.is_mem()) {
    TempId addr = t.ea(in);
    t.load(addr, size);
    TempId old =
        t.call(kHelperAtomicRmw, {t.host_addr(addr), t.cst(kAtomicXchg | size << 8), c, t.cst(0)});
    t.put(in, s, old);
    return;
  }
  TempId a = t.get(in, d);
  if (size < 8) {
    // Keep copies: the writes below change the registers the values came from.
    TempId a2 = t.tmp(), c2 = t.tmp();
    t.b.mov(Type::i64, a2, a);
    t.b.mov(Type::i64, c2, c);
    a = a2;
    c = c2;
  } else {
    TempId a2 = t.tmp();
    t.b.mov(Type::i64, a2, a);
    a = a2;
  }
  t.put(in, d, c);
  t.put(in, s, a);
}

void tr_xadd(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0], s = in.def->o[1];
  const unsigned size = t.size_of(in, d);
  TempId c = t.tmp();
  t.b.mov(Type::i64, c, t.get(in, s));
  TempId a;
  if (in.lock) {
    TempId addr = t.ea(in);
    t.load(addr, size);
    a = t.call(kHelperAtomicRmw, {t.host_addr(addr), t.cst(kAtomicAdd | size << 8), c, t.cst(0)});
  } else {
    a = t.tmp();
    t.b.mov(Type::i64, a, t.get(in, d));
  }
  TempId r = t.zext(size, t.binop(Opcode::add, a, c));
  if (in.is_mem()) {
    if (!in.lock) t.put(in, d, r);
    t.put(in, s, a);
  } else {
    t.put(in, s, a);
    t.put(in, d, r);
  }
  t.set_cc(kCcAdd + cc_size(size), r, c);
}

void tr_cmpxchg(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0], s = in.def->o[1];
  const unsigned size = t.size_of(in, d);
  TempId acc = t.get_reg(in, RAX, size);
  TempId src = t.get(in, s);
  TempId old;
  if (in.lock) {
    TempId addr = t.ea(in);
    t.load(addr, size);
    old = t.call(kHelperAtomicCmpxchg, {t.host_addr(addr), acc, src, t.cst(size)});
  } else {
    old = t.get(in, d);
    TempId nv = t.tmp();
    t.b.movcond(Type::i64, Cond::eq, nv, old, acc, src, old);
    if (in.is_mem() || size < 4) {
      t.put(in, d, nv);
    } else {
      // A register destination is written only when the comparison succeeds.
      TempId saved = t.tmp(), full = t.tmp();
      t.b.mov(Type::i64, saved, t.reg[in.rm]);
      t.put(in, d, nv);
      t.b.movcond(Type::i64, Cond::eq, full, old, acc, t.reg[in.rm], saved);
      t.b.mov(Type::i64, t.reg[in.rm], full);
    }
  }
  // The accumulator gets the old value when the comparison fails.
  TempId with_old = t.tmp();
  if (size >= 4) {
    t.b.mov(Type::i64, with_old, old);
  } else {
    t.b.deposit(Type::i64, with_old, t.reg[RAX], old, 0, size * 8);
  }
  TempId r = t.tmp();
  t.b.movcond(Type::i64, Cond::eq, r, old, acc, t.reg[RAX], with_old);
  t.b.mov(Type::i64, t.reg[RAX], r);
  t.set_cc(kCcSub + cc_size(size), t.zext(size, t.binop(Opcode::sub, acc, old)), old);
}

void tr_cmpxchg8b(Translator &t, const Insn &in) {
  const unsigned size = in.rex_w() ? 16 : 8;
  TempId addr = t.ea(in);
  if (size == 16) {
    jit::LabelId ok = t.b.label();
    t.b.brcond(Type::i64, Cond::eq, t.binop(Opcode::and_, addr, t.cst(15)), t.cst(0), ok);
    t.gen_exception_at_label(kExcpGP, in.pc);
    t.b.set_label(ok);
    t.forget_ea();
    addr = t.ea(in);
  }
  t.load(addr, 8);
  TempId old = t.eflags();
  TempId zf = t.call(kHelperCmpxchg16b, {t.env_ptr(), t.host_addr(addr), t.cst(size)});
  TempId f = t.binop(Opcode::and_, old, t.cst(~kZF));
  t.set_flags(t.binop(Opcode::or_, f, t.binop(Opcode::shl, zf, t.cst(6))));
}

void tr_bswap(Translator &t, const Insn &in) {
  const unsigned size = in.osize;
  TempId v = t.get(in, in.def->o[0]);
  Opcode o = size == 8 ? Opcode::bswap64 : size == 4 ? Opcode::bswap32 : Opcode::bswap16;
  TempId r = size == 2 ? t.cst(0) : t.unop(o, v);
  t.put(in, in.def->o[0], r);
}

void tr_cbw(Translator &t, const Insn &in) {
  const unsigned size = in.osize;
  TempId a = t.get_reg(in, RAX, size);
  if (in.def->arg == 0) {
    t.set_reg(in, RAX, size, t.sext(size / 2, a));
  } else {
    TempId s = t.binop(Opcode::sar, t.sext(size, a), t.cst(63));
    t.set_reg(in, RDX, size, s);
  }
}

void tr_lahf_sahf(Translator &t, const Insn &in) {
  Insn norex = in;
  norex.rex = 0;
  if (in.def->arg == 0) {
    TempId f = t.binop(Opcode::or_, t.eflags(), t.cst(2));
    t.set_reg(norex, 4, 1, t.binop(Opcode::and_, f, t.cst(0xd7)));  // AH
  } else {
    TempId ah = t.get_reg(norex, 4, 1);
    TempId f = t.binop(Opcode::and_, t.eflags(), t.cst(kOF));
    TempId n = t.binop(Opcode::and_, ah, t.cst(kSF | kZF | kAF | kPF | kCF));
    t.set_flags(t.binop(Opcode::or_, f, n));
  }
}

void tr_flagop(Translator &t, const Insn &in) {
  switch (in.def->arg) {
    case 0:
      t.set_flags(t.binop(Opcode::and_, t.eflags(), t.cst(~kCF)));
      break;
    case 1:
      t.set_flags(t.binop(Opcode::or_, t.eflags(), t.cst(kCF)));
      break;
    case 2:
      t.set_flags(t.binop(Opcode::xor_, t.eflags(), t.cst(kCF)));
      break;
    default:
      t.b.st_env(Type::i64, t.cst(in.def->arg == 3 ? 1 : ~0ull), offsetof(CpuX86, df), jit::kMo32);
      break;
  }
}

void tr_cmov(Translator &t, const Insn &in) {
  const unsigned size = in.osize;
  TempId v = t.get(in, in.def->o[1]);
  TempId cur = t.get_reg(in, in.reg, size);
  CondExpr e = t.cond(in.opc & 15);
  TempId r = t.tmp();
  t.b.movcond(Type::i64, e.c, r, e.a, e.b, v, cur);
  t.put(in, in.def->o[0], r);
}

void tr_setcc(Translator &t, const Insn &in) {
  t.put(in, in.def->o[0], t.setcc(in.opc & 15));
}

void tr_movbe(Translator &t, const Insn &in) {
  const unsigned size = in.osize;
  TempId v = t.get(in, in.def->o[1]);
  Opcode o = size == 8 ? Opcode::bswap64 : size == 4 ? Opcode::bswap32 : Opcode::bswap16;
  t.put(in, in.def->o[0], t.unop(o, v));
}

}  // namespace qemu::x86

namespace qemu::x86 {

// xlat: al = [rbx + al].
void tr_xlat(Translator &t, const Insn &in) {
  TempId a = t.binop(jit::Opcode::add, t.reg[RBX], t.get_reg(in, RAX, 1));
  t.set_reg(in, RAX, 1, t.load(t.seg_addr(in, a), 1));
}

}  // namespace qemu::x86
