// Bit counting, byte swaps, extensions and bit fields.
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

void Emitter::emit_clz_ctz(const Op &op) {
  const Type t = op.type;
  const bool clz = op.opc == Opcode::clz;
  const unsigned w = type_bits(t);
  TempId a = op.in(0), z = op.in(1);
  const bool zc = ra_.is_const(z);
  const uint64_t zv = zc ? ra_.const_value(z) & type_mask(t) : 0;
  const bool native = clz ? has(kFeatLzcnt) : has(kFeatBmi1);
  const int rs = ra_.use(a);
  int rd;
  if (native) {
    // lzcnt/tzcnt give the width for zero and set CF.
    if (zc && zv == w) {
      rd = ra_.out_reg({a});
      if (clz) {
        g_.lzcnt(R(rd, t), R(rs, t));
      } else {
        g_.tzcnt(R(rd, t), R(rs, t));
      }
    } else {
      const int rz = ra_.use(z);
      rd = ra_.reusable(a) && rs != rz ? rs : ra_.scratch();
      if (clz) {
        g_.lzcnt(R(rd, t), R(rs, t));
      } else {
        g_.tzcnt(R(rd, t), R(rs, t));
      }
      cmovcc(X86Cond::b, R(rd, t), R(rz, t));
    }
  } else if (clz) {
    // bsr gives the index of the top bit (ZF for zero): clz = index ^ (w - 1), so the zero
    // result goes in pre-xored.
    const int tmp = ra_.scratch();
    if (zc) {
      ra_.mov_imm(tmp, (zv ^ (w - 1)) & type_mask(t));
    } else {
      const int rz = ra_.use(z);
      g_.mov(R(tmp, t), R(rz, t));
      g_.xor_(R(tmp, t), static_cast<int32_t>(w - 1));
    }
    rd = ra_.out_reg({a});
    g_.bsr(R(rd, t), R(rs, t));
    cmovcc(X86Cond::e, R(rd, t), R(tmp, t));
    g_.xor_(R(rd, t), static_cast<int32_t>(w - 1));
  } else {
    const int rz = ra_.use(z);
    rd = ra_.reusable(a) && rs != rz ? rs : ra_.scratch();
    g_.bsf(R(rd, t), R(rs, t));
    cmovcc(X86Cond::e, R(rd, t), R(rz, t));
  }
  done(rd);
}

void Emitter::emit_ctpop(const Op &op) {
  const Type t = op.type;
  const int rs = ra_.use(op.in(0));
  const int rd = ra_.out_reg({op.in(0)});
  if (has(kFeatPopcnt)) {
    g_.popcnt(R(rd, t), R(rs, t));
    return done(rd);
  }
  // The classic SWAR count on 64 bits (an i32 is zero-extended).
  mov_rr(rd, rs, Type::i64);
  const int tmp = ra_.scratch(), k = ra_.scratch();
  const Reg64 x(rd), y(tmp), m(k);
  g_.mov(y, x);
  g_.shr(y, 1);
  g_.mov(m, 0x5555555555555555ull);
  g_.and_(y, m);
  g_.sub(x, y);
  g_.mov(y, x);
  g_.shr(y, 2);
  g_.mov(m, 0x3333333333333333ull);
  g_.and_(y, m);
  g_.and_(x, m);
  g_.add(x, y);
  g_.mov(y, x);
  g_.shr(y, 4);
  g_.add(x, y);
  g_.mov(m, 0x0f0f0f0f0f0f0f0full);
  g_.and_(x, m);
  g_.mov(m, 0x0101010101010101ull);
  g_.imul(x, m);
  g_.shr(x, 56);
  done(rd);
}

void Emitter::emit_bswap(const Op &op) {
  const int rs = ra_.use(op.in(0));
  const int rd = ra_.out_reg({op.in(0)});
  switch (op.opc) {
    case Opcode::bswap16:
      mov_rr(rd, rs, Type::i32);
      g_.rol(Reg64(rd).cvt16(), 8);
      g_.movzx(Reg32(rd), Reg64(rd).cvt16());
      break;
    case Opcode::bswap32:
      if (rd != rs || op.type == Type::i64) g_.mov(Reg32(rd), Reg32(rs));
      g_.bswap(Reg32(rd));
      break;
    default:
      mov_rr(rd, rs, Type::i64);
      g_.bswap(Reg64(rd));
      break;
  }
  done(rd);
}

void Emitter::emit_ext(const Op &op) {
  const Type t = op.type;
  // Zero extensions of values already zero-extended are copies.
  const bool copy =
      op.opc == Opcode::extu_i32_i64 ||
      ((op.opc == Opcode::ext32u || op.opc == Opcode::extrl_i64_i32) && ra_.zext(op.in(0)));
  if (copy && copy_to_dying_global(op, op.in(0), t)) return;
  const int rs = ra_.use(op.in(0));
  const int rd = ra_.out_reg({op.in(0)});
  const Reg64 s(rs);
  switch (op.opc) {
    case Opcode::ext8s:
      g_.movsx(R(rd, t), s.cvt8());
      break;
    case Opcode::ext8u:
      g_.movzx(Reg32(rd), s.cvt8());
      break;
    case Opcode::ext16s:
      g_.movsx(R(rd, t), s.cvt16());
      break;
    case Opcode::ext16u:
      g_.movzx(Reg32(rd), s.cvt16());
      break;
    case Opcode::ext32s:
    case Opcode::ext_i32_i64:
      g_.movsxd(Reg64(rd), Reg32(rs));
      break;
    case Opcode::extu_i32_i64:
      // An i32 is kept zero-extended: a copy.
      mov_rr(rd, rs, Type::i32);
      break;
    case Opcode::ext32u:
    case Opcode::extrl_i64_i32:
      if (ra_.zext(op.in(0))) {
        mov_rr(rd, rs, Type::i32);  // already zero-extended: a copy
      } else {
        g_.mov(Reg32(rd), Reg32(rs));
      }
      break;
    case Opcode::extrh_i64_i32:
      mov_rr(rd, rs, Type::i64);
      g_.shr(Reg64(rd), 32);
      break;
    default:  // ext32u, extrl_i64_i32
      g_.mov(Reg32(rd), Reg32(rs));
      break;
  }
  done(rd);
}

void Emitter::emit_deposit(const Op &op) {
  const Type t = op.type;
  const unsigned w = type_bits(t);
  const unsigned pos = static_cast<unsigned>(op.cst(0)), len = static_cast<unsigned>(op.cst(1));
  TempId a = op.in(0), b = op.in(1);
  if (len >= w) {  // the whole of b
    int rb = ra_.use(b);
    int rd = ra_.out_reg({b});
    mov_rr(rd, rb, t);
    return done(rd);
  }
  const uint64_t field = (1ull << len) - 1;
  const uint64_t keep = ~(field << pos) & type_mask(t);
  // rd &= keep, through a register when keep is no imm32.
  auto and_keep = [&](int rd) {
    if (t == Type::i32 || static_cast<int64_t>(keep) == static_cast<int32_t>(keep)) {
      g_.and_(R(rd, t), static_cast<int32_t>(keep));
    } else {
      int k = ra_.scratch();
      ra_.mov_imm(k, keep);
      g_.and_(Reg64(rd), Reg64(k));
    }
  };
  const int rs = ra_.use(a);
  int rd;
  if (ra_.is_const(b)) {
    const uint64_t bits = ((ra_.const_value(b) & field) << pos) & type_mask(t);
    rd = ra_.out_reg({a});
    mov_rr(rd, rs, t);
    and_keep(rd);
    if (bits) {
      if (t == Type::i32 || static_cast<int64_t>(bits) == static_cast<int32_t>(bits)) {
        g_.or_(R(rd, t), static_cast<int32_t>(bits));
      } else {
        int k = ra_.scratch();
        ra_.mov_imm(k, bits);
        g_.or_(Reg64(rd), Reg64(k));
      }
    }
  } else if (pos == 0 && (len == 8 || len == 16)) {
    const int rb = ra_.use(b);
    rd = ra_.out_reg({a});
    mov_rr(rd, rs, t);
    if (len == 8) {
      g_.mov(Reg64(rd).cvt8(), Reg64(rb).cvt8());
    } else {
      g_.mov(Reg64(rd).cvt16(), Reg64(rb).cvt16());
    }
  } else {
    const int rb = ra_.use(b);
    const int tmp = ra_.scratch();
    g_.mov(R(tmp, t), R(rb, t));
    // tmp = (b & field) << pos
    if (pos + len == w) {
      g_.shl(R(tmp, t), static_cast<uint8_t>(pos));
    } else {
      g_.shl(R(tmp, t), static_cast<uint8_t>(w - len));
      if (w - len - pos) g_.shr(R(tmp, t), static_cast<uint8_t>(w - len - pos));
    }
    rd = ra_.out_reg({a});
    mov_rr(rd, rs, t);
    and_keep(rd);
    g_.or_(R(rd, t), R(tmp, t));
  }
  done(rd);
}

void Emitter::emit_extract(const Op &op) {
  const Type t = op.type;
  const unsigned w = type_bits(t);
  const unsigned pos = static_cast<unsigned>(op.cst(0)), len = static_cast<unsigned>(op.cst(1));
  const bool sign = op.opc == Opcode::sextract;
  const int rs = ra_.use(op.in(0));
  const int rd = ra_.out_reg({op.in(0)});
  const Reg d = R(rd, t);
  const Reg64 s(rs);
  if (pos == 0 && len == 8) {
    if (sign) {
      g_.movsx(d, s.cvt8());
    } else {
      g_.movzx(Reg32(rd), s.cvt8());
    }
  } else if (pos == 0 && len == 16) {
    if (sign) {
      g_.movsx(d, s.cvt16());
    } else {
      g_.movzx(Reg32(rd), s.cvt16());
    }
  } else if (pos == 0 && len == 32) {
    if (sign && t == Type::i64) {
      g_.movsxd(Reg64(rd), Reg32(rs));
    } else {
      g_.mov(Reg32(rd), Reg32(rs));
    }
  } else if (pos + len == w) {
    mov_rr(rd, rs, t);
    if (sign) {
      g_.sar(d, static_cast<uint8_t>(pos));
    } else {
      g_.shr(d, static_cast<uint8_t>(pos));
    }
  } else if (!sign && len <= 31) {
    mov_rr(rd, rs, t);
    if (pos) g_.shr(d, static_cast<uint8_t>(pos));
    g_.and_(d, static_cast<int32_t>((1u << len) - 1));
  } else {
    mov_rr(rd, rs, t);
    if (w - pos - len) g_.shl(d, static_cast<uint8_t>(w - pos - len));
    if (sign) {
      g_.sar(d, static_cast<uint8_t>(w - len));
    } else {
      g_.shr(d, static_cast<uint8_t>(w - len));
    }
  }
  done(rd);
}

}  // namespace qemu::jit::x64
