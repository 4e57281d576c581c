// Moves, two-operand arithmetic and logic, not/neg, shifts and rotates.
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

bool Emitter::copy_to_dying_global(const Op &op, TempId src, Type t) {
  const TempId d = op.out(0);
  if (ir_.temp(d).kind != TempKind::global || !op.sync_out(0) || !op.dead_arg(0) || d == src ||
      ra_.is_const(src)) {
    return false;
  }
  const int rs = ra_.use(src);
  g_.mov(ra_.global_addr(d), R(rs, t));
  done(RegAlloc::kInMemory);
  return true;
}

void Emitter::emit_mov(const Op &op) {
  TempId a = op.in(0);
  if (copy_to_dying_global(op, a, op.type)) return;
  int rd;
  if (ra_.is_const(a)) {
    rd = ra_.scratch();
    ra_.mov_imm(rd, ra_.const_value(a) & type_mask(op.type));
  } else if (ra_.reg(a) >= 0 || ir_.temp(a).kind == TempKind::env) {
    int rs = ra_.use(a);
    rd = ra_.out_reg({a});
    mov_rr(rd, rs, op.type);
  } else {
    rd = ra_.scratch();
    ra_.copy_to(rd, a);
  }
  done(rd);
}

void Emitter::emit_movi(const Op &op) {
  const uint64_t v = op.cst(0) & type_mask(op.type);
  const TempInfo &out = ir_.temp(op.out(0));
  // A global written back at once and not read again: store the immediate.
  if (out.kind == TempKind::global && op.sync_out(0) && op.dead_arg(0) &&
      (op.type == Type::i32 || static_cast<int64_t>(v) == static_cast<int32_t>(v))) {
    const auto off = static_cast<int32_t>(out.offset);
    if (op.type == Type::i32) {
      g_.mov(g_.dword[Reg64(kEnvReg) + off], static_cast<uint32_t>(v));
    } else {
      g_.mov(g_.qword[Reg64(kEnvReg) + off], static_cast<int32_t>(v));
    }
    return done(RegAlloc::kInMemory);
  }
  int rd = ra_.scratch();
  if (v == 0) {
    g_.xor_(Reg32(rd), Reg32(rd));
  } else {
    ra_.mov_imm(rd, v);
  }
  done(rd);
}

void Emitter::alu_rr(Opcode o, const Reg &d, const Reg &s) {
  switch (o) {
    case Opcode::add:
      return g_.add(d, s);
    case Opcode::sub:
      return g_.sub(d, s);
    case Opcode::mul:
      return g_.imul(d, s);
    case Opcode::and_:
      return g_.and_(d, s);
    case Opcode::or_:
      return g_.or_(d, s);
    case Opcode::xor_:
      return g_.xor_(d, s);
    default:
      unsupported_ = true;
  }
}

void Emitter::alu_ri(Opcode o, const Reg &d, int32_t v) {
  switch (o) {
    case Opcode::add:
      return g_.add(d, v);
    case Opcode::sub:
      return g_.sub(d, v);
    case Opcode::and_:
      return g_.and_(d, v);
    case Opcode::or_:
      return g_.or_(d, v);
    case Opcode::xor_:
      return g_.xor_(d, v);
    case Opcode::andc:
      return g_.and_(d, ~v);
    default:
      unsupported_ = true;
  }
}

void Emitter::emit_alu(const Op &op) {
  const Type t = op.low32 ? Type::i32 : op.type;
  const Opcode o = op.opc;
  TempId a = op.in(0), b = op.in(1);
  const bool comm = op_has(o, kCommutative);
  if (comm && ra_.is_const(a) && !ra_.is_const(b)) std::swap(a, b);
  int rd;
  if (imm_ok(b, t)) {
    const int32_t v = imm(b);
    const uint64_t uv = ra_.const_value(b);
    const int rs = ra_.use(a);
    if (o == Opcode::and_ && (uv == 0xff || uv == 0xffff)) {
      rd = ra_.out_reg({a});
      if (uv == 0xff) {
        g_.movzx(Reg32(rd), Reg64(rs).cvt8());
      } else {
        g_.movzx(Reg32(rd), Reg64(rs).cvt16());
      }
    } else if (o == Opcode::mul) {
      rd = ra_.out_reg({a});
      g_.imul(R(rd, t), R(rs, t), v);
    } else if ((o == Opcode::add || o == Opcode::sub) && !ra_.reusable(a) &&
               (o == Opcode::add || t == Type::i32 || v != INT32_MIN)) {
      // Three operands: lea.
      int32_t disp = o == Opcode::add ? v : static_cast<int32_t>(0u - static_cast<uint32_t>(v));
      rd = ra_.scratch();
      g_.lea(R(rd, t), g_.ptr[Reg64(rs) + disp]);
    } else {
      rd = ra_.out_reg({a});
      mov_rr(rd, rs, t);
      alu_ri(o, R(rd, t), v);
    }
  } else if (o == Opcode::and_ && t == Type::i64 && ra_.is_const(b) &&
             ra_.const_value(b) == 0xffffffffull) {
    const int rs = ra_.use(a);
    rd = ra_.out_reg({a});
    g_.mov(Reg32(rd), Reg32(rs));
  } else if (o != Opcode::andc && !ra_.is_const(b) && ra_.dying_in_memory(b)) {
    // b straight from the CPU state.
    const int rs = ra_.use(a);
    // An i64 global's low half when computing 32 bits (low32).
    const Xbyak::Address m =
        t == ir_.temp(b).type ? ra_.global_addr(b)
                              : g_.dword[Reg64(kEnvReg) + static_cast<int32_t>(ir_.temp(b).offset)];
    rd = ra_.out_reg({a});
    mov_rr(rd, rs, t);
    switch (o) {
      case Opcode::add:
        g_.add(R(rd, t), m);
        break;
      case Opcode::sub:
        g_.sub(R(rd, t), m);
        break;
      case Opcode::mul:
        g_.imul(R(rd, t), m);
        break;
      case Opcode::and_:
        g_.and_(R(rd, t), m);
        break;
      case Opcode::or_:
        g_.or_(R(rd, t), m);
        break;
      default:
        g_.xor_(R(rd, t), m);
        break;
    }
  } else {
    const int rs = ra_.use(a), rb = ra_.use(b);
    if (o == Opcode::andc) {
      if (has(kFeatBmi1)) {
        rd = ra_.out_reg({a, b});
        g_.andn(E(rd, t), E(rb, t), E(rs, t));  // ~b & a
      } else {
        int tmp = ra_.scratch();
        g_.mov(R(tmp, t), R(rb, t));
        g_.not_(R(tmp, t));
        rd = ra_.out_reg({a});
        mov_rr(rd, rs, t);
        g_.and_(R(rd, t), R(tmp, t));
      }
    } else if (o == Opcode::add && !ra_.reusable(a) && !ra_.reusable(b)) {
      rd = ra_.scratch();
      g_.lea(R(rd, t), g_.ptr[Reg64(rs) + Reg64(rb)]);
    } else {
      rd = comm ? ra_.out_reg({a, b}) : ra_.out_reg({a});
      int src = rb;
      if (rd == rb && rd != rs) {
        src = rs;  // commutative, computed in b's register
      } else {
        mov_rr(rd, rs, t);
      }
      alu_rr(o, R(rd, t), R(src, t));
    }
  }
  done(rd);
}

void Emitter::emit_unary(const Op &op) {
  const Type t = op.low32 ? Type::i32 : op.type;
  const int rs = ra_.use(op.in(0));
  const int rd = ra_.out_reg({op.in(0)});
  mov_rr(rd, rs, t);
  if (op.opc == Opcode::not_) {
    g_.not_(R(rd, t));
  } else {
    g_.neg(R(rd, t));
  }
  done(rd);
}

void Emitter::emit_shift(const Op &op) {
  const Type t = op.low32 ? Type::i32 : op.type;  // low32: shl by a constant below 32
  const Opcode o = op.opc;
  TempId a = op.in(0), b = op.in(1);
  int rd;
  if (ra_.is_const(b)) {
    const uint8_t n = static_cast<uint8_t>(ra_.const_value(b) & (type_bits(t) - 1));
    const int rs = ra_.use(a);
    rd = ra_.out_reg({a});
    mov_rr(rd, rs, t);
    if (n) {
      const Reg d = R(rd, t);
      switch (o) {
        case Opcode::shl:
          g_.shl(d, n);
          break;
        case Opcode::shr:
          g_.shr(d, n);
          break;
        case Opcode::sar:
          g_.sar(d, n);
          break;
        case Opcode::rotl:
          g_.rol(d, n);
          break;
        default:
          g_.ror(d, n);
          break;
      }
    }
  } else if (has(kFeatBmi2) && (o == Opcode::shl || o == Opcode::shr || o == Opcode::sar)) {
    const int rs = ra_.use(a), rb = ra_.use(b);
    rd = ra_.out_reg({a, b});
    const Xbyak::Reg32e d = E(rd, t), s = E(rs, t), c = E(rb, t);
    if (o == Opcode::shl) {
      g_.shlx(d, s, c);
    } else if (o == Opcode::shr) {
      g_.shrx(d, s, c);
    } else {
      g_.sarx(d, s, c);
    }
  } else {
    // The count in cl (the hardware takes it modulo 32 or 64, as the IR does).
    ra_.claim(kRcx);
    ra_.copy_to(kRcx, b);
    const RegMask not_rcx = static_cast<RegMask>(~bit(kRcx));
    const int rs = ra_.use(a, not_rcx);
    rd = ra_.out_reg({a}, not_rcx);
    mov_rr(rd, rs, t);
    const Reg d = R(rd, t);
    const Xbyak::Reg8 cl(kRcx);
    switch (o) {
      case Opcode::shl:
        g_.shl(d, cl);
        break;
      case Opcode::shr:
        g_.shr(d, cl);
        break;
      case Opcode::sar:
        g_.sar(d, cl);
        break;
      case Opcode::rotl:
        g_.rol(d, cl);
        break;
      default:
        g_.ror(d, cl);
        break;
    }
  }
  done(rd);
}

}  // namespace qemu::jit::x64
