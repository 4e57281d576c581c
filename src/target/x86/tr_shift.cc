// Shifts and rotates: rol ror rcl rcr shl shr sal sar, shld/shrd.
#include "target/x86/helpers.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

enum ShiftOp { kRol, kRor, kRcl, kRcr, kShl, kShr, kSal, kSar };

uint32_t cc_size(unsigned size) {
  return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

// The count operand, masked as the hardware does; *konst tells whether it is known.
TempId shift_count(Translator &t, const Insn &in, Opnd form, unsigned size, bool *known,
                   uint64_t *value) {
  const uint64_t mask = size == 8 ? 63 : 31;
  if (form == Opnd::Ib || form == Opnd::One) {
    *known = true;
    *value = (form == Opnd::One ? 1 : in.imm) & mask;
    return t.cst(*value);
  }
  *known = false;
  return t.binop(Opcode::and_, t.get(in, form), t.cst(mask));
}

// Sets the lazy flags after a shift, unless the count is zero (then nothing changes).
void shift_flags(Translator &t, uint32_t op, TempId count, bool known, uint64_t value, TempId r,
                 TempId src) {
  if (known) {
    if (value) t.set_cc(op, r, src);
    return;
  }
  jit::Builder &b = t.b;
  TempId zero = t.cst(0);
  TempId old_op;
  if (t.cc_op == kCcDynamic) {
    old_op = t.cc_op_g;
  } else {
    old_op = b.konst(Type::i32, t.cc_op);
  }
  TempId c32 = b.temp(Type::i32);
  b.unop(Opcode::extrl_i64_i32, Type::i32, c32, count);
  b.movcond(Type::i64, Cond::eq, t.cc_dst, count, zero, t.cc_dst, r);
  b.movcond(Type::i64, Cond::eq, t.cc_src, count, zero, t.cc_src, src);
  b.movcond(Type::i32, Cond::eq, t.cc_op_g, c32, b.konst(Type::i32, 0), old_op,
            b.konst(Type::i32, op));
  t.cc_op = kCcDynamic;
  t.cc_dirty = false;
}

// Whether a rotate by a known nonzero count can keep the lazy state (see kCcRot).
bool rot_lazy(uint32_t cc_op) {
  if (cc_op == kCcDynamic) return false;
  const uint32_t kind = cc_kind(cc_op & ~kCcRotMask);
  return kind != kCcEflags && kind != kCcAdc && kind != kCcSbb;
}

// The rotate's result into cc_src2 (its CF and OF are computed from it when read), the other
// flags left to the lazy state.
void rot_flags_lazy(Translator &t, bool left, TempId r, unsigned bits) {
  const uint32_t lg = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
  t.set_cc((t.cc_op & ~kCcRotMask) | kCcRot | (left ? 0u : uint32_t{kCcRotRight}) |
               lg << kCcRotSizeShift,
           0, 0, r);
}

uint64_t replicate_factor(unsigned size) {
  return size == 1 ? 0x0101010101010101ull : size == 2 ? 0x0001000100010001ull : 0x100000001ull;
}

}  // namespace

void tr_shift(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0];
  const unsigned size = t.size_of(in, d);
  const unsigned bits = size * 8;
  const unsigned op = in.def->arg;
  const uint32_t sz = cc_size(size);
  bool known;
  uint64_t kv;
  TempId a = t.get(in, d);
  TempId cnt = shift_count(t, in, in.def->o[1], size, &known, &kv);
  if (known && kv == 0) {
    // Nothing changes (the 32-bit forms still write their register).
    if (size == 4 && !in.is_mem()) t.put(in, d, a);
    return;
  }
  TempId one = t.cst(1);
  TempId cm1 = t.binop(Opcode::sub, cnt, one);
  switch (op) {
    case kShl:
    case kSal: {
      TempId r = t.zext(size, t.binop(Opcode::shl, a, cnt));
      TempId src = t.zext(size, t.binop(Opcode::shl, a, cm1));
      t.put(in, d, r);
      shift_flags(t, kCcShl + sz, cnt, known, kv, r, src);
      return;
    }
    case kShr:
    case kSar: {
      TempId v = op == kSar ? t.sext(size, a) : a;
      Opcode o = op == kSar ? Opcode::sar : Opcode::shr;
      TempId r = t.zext(size, t.binop(o, v, cnt));
      TempId src = t.zext(size, t.binop(o, v, cm1));
      t.put(in, d, r);
      shift_flags(t, kCcSar + sz, cnt, known, kv, r, src);
      return;
    }
    case kRol:
    case kRor: {
      const Opcode ro = op == kRol ? Opcode::rotl : Opcode::rotr;
      TempId r;
      if (size == 4) {  // a 32-bit rotate (no replication)
        jit::Builder &b = t.b;
        TempId a32 = b.temp(Type::i32), c32 = b.temp(Type::i32), r32 = b.temp(Type::i32);
        b.unop(Opcode::extrl_i64_i32, Type::i32, a32, a);
        b.unop(Opcode::extrl_i64_i32, Type::i32, c32, cnt);
        b.binop(ro, Type::i32, r32, a32, c32);
        r = t.tmp();
        b.unop(Opcode::extu_i32_i64, Type::i64, r, r32);
      } else {
        TempId v = size == 8 ? a : t.binop(Opcode::mul, a, t.cst(replicate_factor(size)));
        r = t.zext(size, t.binop(ro, v, cnt));
      }
      t.put(in, d, r);
      if (known && rot_lazy(t.cc_op)) {
        rot_flags_lazy(t, op == kRol, r, bits);
        return;
      }
      TempId old = t.eflags();
      TempId msb = t.binop(Opcode::and_, t.binop(Opcode::shr, r, t.cst(bits - 1)), one);
      TempId cf, of;
      if (op == kRol) {
        cf = t.binop(Opcode::and_, r, one);
        of = t.binop(Opcode::xor_, msb, cf);
      } else {
        cf = msb;
        of = t.binop(Opcode::xor_, msb,
                     t.binop(Opcode::and_, t.binop(Opcode::shr, r, t.cst(bits - 2)), one));
      }
      TempId f = t.binop(Opcode::and_, old, t.cst(~(kCF | kOF)));
      f = t.binop(Opcode::or_, f, t.binop(Opcode::or_, cf, t.binop(Opcode::shl, of, t.cst(11))));
      if (!known) {
        TempId g = t.tmp();
        t.b.movcond(Type::i64, Cond::eq, g, cnt, t.cst(0), old, f);
        f = g;
      }
      t.set_flags(f);
      return;
    }
    default: {  // rcl, rcr
      TempId old = t.eflags();
      TempId r =
          t.call(kHelperRcx, {t.env_ptr(), a, cnt, old, t.cst(size | (op == kRcr ? 0x100u : 0u))});
      t.put(in, d, r);
      TempId f = t.tmp();
      t.b.ld_env(Type::i64, f, offsetof(CpuX86, helper_out), jit::kMo64);
      t.set_flags(f);
      return;
    }
  }
}

void tr_shd(Translator &t, const Insn &in) {
  const Opnd d = in.def->o[0];
  const unsigned size = t.size_of(in, d);
  const unsigned bits = size * 8;
  const bool right = in.def->arg;
  const uint32_t sz = cc_size(size);
  bool known;
  uint64_t kv;
  TempId a = t.get(in, d);
  TempId c = t.get(in, in.def->o[1]);
  TempId cnt = shift_count(t, in, in.def->o[2], size, &known, &kv);
  if (known && kv == 0) {
    if (size == 4 && !in.is_mem()) t.put(in, d, a);
    return;
  }
  TempId cm1 = t.binop(Opcode::sub, cnt, t.cst(1));
  TempId r, src;
  if (size == 8) {
    TempId inv = t.binop(Opcode::sub, t.cst(64), cnt);
    if (!right) {
      r = t.binop(Opcode::or_, t.binop(Opcode::shl, a, cnt), t.binop(Opcode::shr, c, inv));
      src = t.binop(Opcode::shl, a, cm1);
    } else {
      r = t.binop(Opcode::or_, t.binop(Opcode::shr, a, cnt), t.binop(Opcode::shl, c, inv));
      src = t.binop(Opcode::shr, a, cm1);
    }
    if (!known) {
      TempId g = t.tmp();
      t.b.movcond(Type::i64, Cond::eq, g, cnt, t.cst(0), a, r);
      r = g;
    }
  } else if (!right) {
    // a:c at the top of 64 bits, shifted left; the result is the top part.
    TempId x = t.binop(Opcode::or_, t.binop(Opcode::shl, a, t.cst(64 - bits)),
                       t.binop(Opcode::shl, c, t.cst(64 - 2 * bits)));
    r = t.binop(Opcode::shr, t.binop(Opcode::shl, x, cnt), t.cst(64 - bits));
    src = t.binop(Opcode::shr, t.binop(Opcode::shl, x, cm1), t.cst(64 - bits));
  } else {
    // c:a in the low bits, shifted right.
    TempId x = t.binop(Opcode::or_, a, t.binop(Opcode::shl, c, t.cst(bits)));
    r = t.zext(size, t.binop(Opcode::shr, x, cnt));
    src = t.zext(size, t.binop(Opcode::shr, x, cm1));
  }
  r = t.zext(size, r);
  t.put(in, d, r);
  shift_flags(t, (right ? kCcSar : kCcShl) + sz, cnt, known, kv, r, src);
}

}  // namespace qemu::x86
