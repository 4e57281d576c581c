// Host memory (ld/st relative to a pointer, usually env) and guest memory (qemu_ld/qemu_st at
// guest_base + address; a fault is a host SIGSEGV at the access, mapped back by find_insn).
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

Xbyak::RegExp Emitter::host_addr(int base, int64_t off) {
  if (off == static_cast<int32_t>(off)) return Reg64(base) + static_cast<int32_t>(off);
  const int k = ra_.scratch();
  ra_.mov_imm(k, static_cast<uint64_t>(off));
  return Reg64(base) + Reg64(k);
}

Xbyak::RegExp Emitter::guest_addr(int addr) {
  if (opt_.guest_base) return Reg64(kGuestBaseReg) + Reg64(addr);
  return Xbyak::RegExp(Reg64(addr));
}

// rd = the memop-sized value at addr, extended to t. full_width: a 64-bit access for an i32
// reads all 8 bytes (guest memory: the fault must happen as the interpreter's would).
void Emitter::load(Type t, uint32_t memop, int rd, const Xbyak::RegExp &addr, bool full_width) {
  const bool sign = memop & kMoSign;
  switch (memop & kMoSizeMask) {
    case kMo8:
      if (sign) {
        g_.movsx(R(rd, t), g_.byte[addr]);
      } else {
        g_.movzx(Reg32(rd), g_.byte[addr]);
      }
      break;
    case kMo16:
      if (sign) {
        g_.movsx(R(rd, t), g_.word[addr]);
      } else {
        g_.movzx(Reg32(rd), g_.word[addr]);
      }
      break;
    case kMo32:
      if (sign && t == Type::i64) {
        g_.movsxd(Reg64(rd), g_.dword[addr]);
      } else {
        g_.mov(Reg32(rd), g_.dword[addr]);
      }
      break;
    default:
      if (t == Type::i64 || full_width) {
        g_.mov(Reg64(rd), g_.qword[addr]);
        if (t == Type::i32) g_.mov(Reg32(rd), Reg32(rd));
      } else {
        g_.mov(Reg32(rd), g_.dword[addr]);
      }
      break;
  }
}

void Emitter::store(Type t, uint32_t memop, TempId v, const Xbyak::RegExp &addr) {
  const unsigned size = memop_size(memop);
  if (ra_.is_const(v)) {
    uint64_t x = ra_.const_value(v) & type_mask(t);
    switch (size) {
      case 1:
        return g_.mov(g_.byte[addr], static_cast<uint8_t>(x));
      case 2:
        return g_.mov(g_.word[addr], static_cast<uint16_t>(x));
      case 4:
        return g_.mov(g_.dword[addr], static_cast<uint32_t>(x));
      default:
        if (static_cast<int64_t>(x) == static_cast<int32_t>(x)) {
          return g_.mov(g_.qword[addr], static_cast<int32_t>(x));
        }
        break;
    }
  }
  const Reg64 r(ra_.use(v));
  switch (size) {
    case 1:
      return g_.mov(g_.byte[addr], r.cvt8());
    case 2:
      return g_.mov(g_.word[addr], r.cvt16());
    case 4:
      return g_.mov(g_.dword[addr], r.cvt32());
    default:
      return g_.mov(g_.qword[addr], r);
  }
}

void Emitter::emit_ld(const Op &op) {
  const int base = ra_.use(op.in(0));
  const Xbyak::RegExp addr = host_addr(base, static_cast<int64_t>(op.cst(1)));
  const int rd = ra_.out_reg({op.in(0)});
  load(op.type, static_cast<uint32_t>(op.cst(0)), rd, addr, false);
  done(rd);
}

void Emitter::emit_st(const Op &op) {
  const int base = ra_.use(op.in(1));
  if (!ra_.is_const(op.in(0))) ra_.use(op.in(0));
  const Xbyak::RegExp addr = host_addr(base, static_cast<int64_t>(op.cst(1)));
  store(op.type, static_cast<uint32_t>(op.cst(0)), op.in(0), addr);
  done();
}

void Emitter::emit_qemu_ld(const Op &op) {
  ra_.sync_globals();
  const int ra = ra_.use(op.in(0));
  const int rd = ra_.out_reg({op.in(0)});
  load(op.type, static_cast<uint32_t>(op.cst(0)), rd, guest_addr(ra), true);
  done(rd);
}

void Emitter::emit_qemu_st(const Op &op) {
  ra_.sync_globals();
  const int ra = ra_.use(op.in(1));
  if (!ra_.is_const(op.in(0))) ra_.use(op.in(0));
  store(op.type, static_cast<uint32_t>(op.cst(0)), op.in(0), guest_addr(ra));
  done();
}

}  // namespace qemu::jit::x64
