// Bit instructions: bt/bts/btr/btc, bsf/bsr, tzcnt/lzcnt/popcnt, BMI1/BMI2, crc32.
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

enum BtOp { kBt, kBts, kBtr, kBtc };
enum ScanOp { kBsf, kBsr, kTzcnt, kLzcnt, kPopcnt };
enum BmiOp {
  kAndn,
  kBextr,
  kBlsi,
  kBlsmsk,
  kBlsr,
  kBzhi,
  kPdep,
  kPext,
  kMulx,
  kRorx,
  kSarx,
  kShlx,
  kShrx
};

TempId flag_if(Translator &t, Cond c, TempId a, TempId b, uint64_t flag) {
  TempId d = t.tmp();
  t.b.setcond(Type::i64, c, d, a, b);
  return flag == 1 ? d : t.binop(Opcode::mul, d, t.cst(flag));
}

// ZF and SF of r (size bytes), CF from cf (0/1); OF, AF, PF clear.
TempId zs_flags(Translator &t, unsigned size, TempId r, TempId cf) {
  TempId z = flag_if(t, Cond::eq, r, t.cst(0), kZF);
  TempId s = flag_if(t, Cond::lt, t.sext(size, r), t.cst(0), kSF);
  return t.binop(Opcode::or_, t.binop(Opcode::or_, z, s), cf);
}

}  // namespace

void tr_bt(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0], s = in.def->o[1];
  const unsigned size = t.size_of(in, d);
  const unsigned bits = size * 8;
  const unsigned op = in.def->arg;
  TempId off = t.get(in, s);
  TempId pos = t.binop(Opcode::and_, off, t.cst(bits - 1));
  TempId addr = 0;
  TempId v;
  if (in.is_mem()) {
    addr = t.ea(in);
    if (s != Opnd::Ib) {
      TempId words = t.binop(Opcode::sar, t.sext(size, off),
                             t.cst(size == 8   ? 6
                                   : size == 4 ? 5
                                               : 4));
      addr = t.binop(Opcode::add, addr, t.binop(Opcode::mul, words, t.cst(size)));
    }
  }
  TempId mask = t.binop(Opcode::shl, t.cst(1), pos);
  if (in.lock) {
    t.load(addr, size);
    static constexpr uint32_t kAtomic[] = {0, kAtomicOr, kAtomicAnd, kAtomicXor};
    TempId src = op == kBtr ? t.zext(size, t.unop(Opcode::not_, mask)) : mask;
    v = t.call(kHelperAtomicRmw,
               {t.host_addr(addr), t.cst(kAtomic[op] | size << 8), src, t.cst(0)});
  } else {
    v = addr ? t.load(addr, size) : t.get(in, d);
  }
  TempId cf = t.binop(Opcode::and_, t.binop(Opcode::shr, v, pos), t.cst(1));
  if (op != kBt && !in.lock) {
    TempId r;
    if (op == kBts) {
      r = t.binop(Opcode::or_, v, mask);
    } else if (op == kBtr) {
      r = t.binop(Opcode::andc, v, mask);
    } else {
      r = t.binop(Opcode::xor_, v, mask);
    }
    if (addr) {
      t.store(addr, size, r);
    } else {
      t.put(in, d, r);
    }
  }
  t.set_flags(t.binop(Opcode::or_, t.binop(Opcode::and_, t.eflags(), t.cst(~kCF)), cf));
}

void tr_bitscan(Translator &t, const Insn &in) {
  const unsigned size = in.osize;
  const unsigned bits = size * 8;
  TempId src = t.get(in, in.def->o[1]);
  TempId zero = t.cst(0);
  switch (in.def->arg) {
    case kBsf:
    case kBsr: {
      TempId r;
      if (in.def->arg == kBsf) {
        r = t.binop(Opcode::ctz, src, t.cst(0));
      } else {
        r = t.binop(Opcode::xor_, t.binop(Opcode::clz, src, t.cst(0)), t.cst(63));
      }
      // A zero source leaves the destination alone.
      TempId saved = t.tmp(), full = t.tmp();
      const int dr = in.reg;
      t.b.mov(Type::i64, saved, t.reg[dr]);
      t.put(in, in.def->o[0], r);
      t.b.movcond(Type::i64, Cond::eq, full, src, zero, saved, t.reg[dr]);
      t.b.mov(Type::i64, t.reg[dr], full);
      t.set_cc(kCcLogic + cc_size(size), src);
      return;
    }
    case kTzcnt:
    case kLzcnt: {
      TempId r;
      if (in.def->arg == kTzcnt) {
        r = t.binop(Opcode::ctz, src, t.cst(bits));
      } else {
        r = t.binop(Opcode::sub, t.binop(Opcode::clz, src, t.cst(64)), t.cst(64 - bits));
      }
      t.put(in, in.def->o[0], r);
      TempId cf = flag_if(t, Cond::eq, src, zero, kCF);
      TempId zf = flag_if(t, Cond::eq, r, zero, kZF);
      t.set_flags(t.binop(Opcode::or_, cf, zf));
      return;
    }
    default: {
      TempId r = t.unop(Opcode::ctpop, src);
      t.put(in, in.def->o[0], r);
      t.set_flags(flag_if(t, Cond::eq, src, zero, kZF));
      return;
    }
  }
}

void tr_bmi(Translator &t, const Insn &in) {
  if (in.vex_l) {
    t.gen_exception(kExcpUD, in.pc);
    return;
  }
  const unsigned size = in.rex_w() ? 8 : 4;
  const unsigned bits = size * 8;
  const Opnd *o = in.def->o;
  TempId zero = t.cst(0);
  switch (in.def->arg) {
    case kAndn: {
      TempId r = t.binop(Opcode::andc, t.get(in, o[2]), t.get(in, o[1]));
      t.put(in, o[0], r);
      t.set_cc(kCcLogic + cc_size(size), r);
      return;
    }
    case kBextr: {
      TempId src = t.get(in, o[1]), ctl = t.get(in, o[2]);
      TempId start = t.binop(Opcode::and_, ctl, t.cst(0xff));
      TempId len = t.binop(Opcode::and_, t.binop(Opcode::shr, ctl, t.cst(8)), t.cst(0xff));
      TempId sh = t.tmp(), mask = t.tmp();
      t.b.movcond(Type::i64, Cond::ltu, sh, start, t.cst(bits), t.binop(Opcode::shr, src, start),
                  zero);
      t.b.movcond(Type::i64, Cond::ltu, mask, len, t.cst(64),
                  t.binop(Opcode::sub, t.binop(Opcode::shl, t.cst(1), len), t.cst(1)),
                  t.cst(~0ull));
      TempId r = t.zext(size, t.binop(Opcode::and_, sh, mask));
      t.put(in, o[0], r);
      t.set_cc(kCcLogic + cc_size(size), r);
      return;
    }
    case kBlsi:
    case kBlsmsk:
    case kBlsr: {
      TempId src = t.get(in, o[1]);
      TempId r, cf;
      TempId m1 = t.binop(Opcode::sub, src, t.cst(1));
      if (in.def->arg == kBlsi) {
        r = t.binop(Opcode::and_, src, t.unop(Opcode::neg, src));
        cf = flag_if(t, Cond::ne, src, zero, kCF);
      } else {
        r = t.binop(in.def->arg == kBlsr ? Opcode::and_ : Opcode::xor_, src, m1);
        cf = flag_if(t, Cond::eq, src, zero, kCF);
      }
      r = t.zext(size, r);
      t.put(in, o[0], r);
      t.set_flags(zs_flags(t, size, r, cf));
      return;
    }
    case kBzhi: {
      TempId src = t.get(in, o[1]);
      TempId n = t.binop(Opcode::and_, t.get(in, o[2]), t.cst(0xff));
      TempId r = t.tmp();
      TempId m = t.binop(Opcode::sub, t.binop(Opcode::shl, t.cst(1), n), t.cst(1));
      t.b.movcond(Type::i64, Cond::ltu, r, n, t.cst(bits), t.binop(Opcode::and_, src, m), src);
      t.put(in, o[0], r);
      TempId cf = flag_if(t, Cond::geu, n, t.cst(bits), kCF);
      t.set_flags(zs_flags(t, size, r, cf));
      return;
    }
    case kPdep:
    case kPext: {
      TempId r = t.call(in.def->arg == kPdep ? kHelperPdep : kHelperPext,
                        {t.get(in, o[1]), t.get(in, o[2])});
      t.put(in, o[0], r);
      return;
    }
    case kMulx: {
      TempId a = t.get_reg(in, RDX, size), c = t.get(in, o[2]);
      TempId lo, hi;
      if (size == 8) {
        lo = t.tmp();
        hi = t.tmp();
        t.b.mul2(false, Type::i64, lo, hi, a, c);
      } else {
        TempId p = t.binop(Opcode::mul, a, c);
        lo = p;
        hi = t.binop(Opcode::shr, p, t.cst(32));
      }
      t.put(in, o[1], lo);
      t.put(in, o[0], hi);
      return;
    }
    case kRorx: {
      TempId src = t.get(in, o[1]);
      TempId v = size == 8 ? src : t.binop(Opcode::mul, src, t.cst(0x100000001ull));
      t.put(in, o[0], t.binop(Opcode::rotr, v, t.cst(in.imm & (bits - 1))));
      return;
    }
    default: {  // sarx shlx shrx
      TempId src = t.get(in, o[1]);
      TempId cnt = t.binop(Opcode::and_, t.get(in, o[2]), t.cst(bits - 1));
      Opcode op = in.def->arg == kSarx   ? Opcode::sar
                  : in.def->arg == kShlx ? Opcode::shl
                                         : Opcode::shr;
      if (op == Opcode::sar) src = t.sext(size, src);
      t.put(in, o[0], t.binop(op, src, cnt));
      return;
    }
  }
}

void tr_crc32(Translator &t, const Insn &in) {
  const unsigned size = t.size_of(in, in.def->o[1]);
  TempId crc = t.get_reg(in, in.reg, 4);
  TempId r = t.call(kHelperCrc32, {crc, t.get(in, in.def->o[1]), t.cst(size)});
  t.set_reg(in, in.reg, in.rex_w() ? 8 : 4, r);
}

}  // namespace qemu::x86
