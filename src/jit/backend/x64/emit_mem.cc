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

bool Emitter::try_fuse_address(const Op &add, const Op &mem) {
  if (add.opc != Opcode::add || add.type != Type::i64) return false;
  const bool load = mem.opc == Opcode::ld || mem.opc == Opcode::qemu_ld;
  const bool store = mem.opc == Opcode::st || mem.opc == Opcode::qemu_st;
  if (!load && !store) return false;
  const TempId t = add.out(0);
  const unsigned ai = load ? 0 : 1;  // the address (or base) input of mem
  if (ir_.temp(t).kind != TempKind::bb || mem.in(ai) != t || !mem.dead_arg(mem.nout + ai)) {
    return false;
  }
  if (store && mem.in(0) == t) return false;
  const bool guest = mem.opc == Opcode::qemu_ld || mem.opc == Opcode::qemu_st;
  TempId x = add.in(0), y = add.in(1);
  if (ra_.is_const(x)) std::swap(x, y);
  if (ra_.is_const(x)) return false;
  TempId index = kNoIndex;
  int64_t disp = 0;
  if (ra_.is_const(y)) {
    disp = static_cast<int64_t>(ra_.const_value(y));
  } else if (!guest || !opt_.guest_base) {
    index = y;  // [x + y]: no room when r15 is in the address too
  } else {
    return false;
  }
  int64_t total = disp;
  if (!guest) total += static_cast<int64_t>(mem.cst(1));
  if (total != static_cast<int32_t>(total) || disp != static_cast<int32_t>(disp)) return false;
  ra_.begin_op(mem);
  const bool z = load && result_zext(mem);
  emit_memory(mem, x, index, disp, &add);
  if (load) ra_.set_zext(mem.out(0), z);
  return true;
}

void Emitter::emit_memory(const Op &op, TempId base, TempId index, int64_t disp, const Op *fused) {
  const bool guest = op.opc == Opcode::qemu_ld || op.opc == Opcode::qemu_st;
  const bool load = op.opc == Opcode::ld || op.opc == Opcode::qemu_ld;
  const uint32_t memop = static_cast<uint32_t>(op.cst(0));
  if (guest) ra_.sync_globals();
  const int64_t total = disp + (guest ? 0 : static_cast<int64_t>(op.cst(1)));
  int rb = -1;
  Xbyak::RegExp addr;
  if (ra_.is_const(base) &&
      static_cast<int64_t>(ra_.const_value(base)) + total ==
          static_cast<int32_t>(static_cast<int64_t>(ra_.const_value(base)) + total)) {
    // A constant address: [disp32], or [r15 + disp32].
    const auto a = static_cast<int32_t>(static_cast<int64_t>(ra_.const_value(base)) + total);
    addr = guest && opt_.guest_base ? Reg64(kGuestBaseReg) + a
                                    : Xbyak::RegExp(static_cast<size_t>(static_cast<int64_t>(a)));
  } else if (index != kNoIndex) {
    rb = ra_.use(base);
    const int ri = ra_.use(index);
    addr = Reg64(rb) + Reg64(ri) + static_cast<int32_t>(total);
  } else {
    rb = ra_.use(base);
    addr = guest ? guest_addr(rb) + static_cast<int32_t>(disp) : host_addr(rb, total);
  }
  // Fused: the register of base (or index) may take the loaded value when it dies at the add
  // (a load's only input is the add's result, dead here).
  auto dies = [&](TempId x) {
    bool d = false;
    for (unsigned i = 0; fused && i < fused->nin; i++) {
      d |= fused->in(i) == x && fused->dead_arg(fused->nout + i);
    }
    return d && ir_.temp(x).kind != TempKind::env;
  };
  int rd = -1;
  if (load) {
    if (fused) {
      rd = dies(base) ? rb : index != kNoIndex && dies(index) ? ra_.reg(index) : ra_.scratch();
    } else {
      rd = rb >= 0 ? ra_.out_reg({base}) : ra_.scratch();
    }
    this->load(op.type, memop, rd, addr, guest);
  } else {
    if (!ra_.is_const(op.in(0))) ra_.use(op.in(0));
    store(op.type, memop, op.in(0), addr);
  }
  if (load) {
    done(rd);
  } else {
    done();
  }
  if (fused) {
    for (unsigned i = 0; i < fused->nin; i++) {
      TempId x = fused->in(i);
      if (!fused->dead_arg(fused->nout + i)) continue;
      bool written = false;
      for (unsigned j = 0; j < op.nout; j++) written |= op.out(j) == x;
      if (!written) ra_.release_temp(x);
    }
  }
}

}  // namespace qemu::jit::x64
