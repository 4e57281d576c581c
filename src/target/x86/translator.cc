#include "target/x86/translator.h"

#include <cstddef>

#include "jit/exec/exits.h"
#include "target/x86/helpers.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

constexpr const char *kRegNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                       "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

uint32_t memop_of(unsigned size) {
  switch (size) {
    case 1:
      return jit::kMo8;
    case 2:
      return jit::kMo16;
    case 4:
      return jit::kMo32;
    default:
      return jit::kMo64;
  }
}

uint64_t size_mask(unsigned size) {
  return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

}  // namespace

Translator::Translator(jit::Builder &bld, const FrontendOptions &o) : b(bld), opts(o) {
  jit::Ir &ir = b.ir();
  for (int i = 0; i < 16; i++) {
    reg[i] = ir.new_global(Type::i64, offsetof(CpuX86, regs) + 8 * i, kRegNames[i]);
  }
  rip = ir.new_global(Type::i64, offsetof(CpuX86, rip), "rip");
  cc_dst = ir.new_global(Type::i64, offsetof(CpuX86, cc_dst), "cc_dst");
  cc_src = ir.new_global(Type::i64, offsetof(CpuX86, cc_src), "cc_src");
  cc_src2 = ir.new_global(Type::i64, offsetof(CpuX86, cc_src2), "cc_src2");
  cc_op_g = ir.new_global(Type::i32, offsetof(CpuX86, cc_op), "cc_op");
}

void Translator::begin_insn(const Insn &) {
  ea_ = 0;
}

TempId Translator::binop(Opcode o, TempId a, TempId c) {
  TempId d = tmp();
  b.binop(o, Type::i64, d, a, c);
  return d;
}

TempId Translator::unop(Opcode o, TempId a) {
  TempId d = tmp();
  b.unop(o, Type::i64, d, a);
  return d;
}

TempId Translator::zext(unsigned size, TempId v) {
  switch (size) {
    case 1:
      return unop(Opcode::ext8u, v);
    case 2:
      return unop(Opcode::ext16u, v);
    case 4:
      return unop(Opcode::ext32u, v);
    default:
      return v;
  }
}

TempId Translator::sext(unsigned size, TempId v) {
  switch (size) {
    case 1:
      return unop(Opcode::ext8s, v);
    case 2:
      return unop(Opcode::ext16s, v);
    case 4:
      return unop(Opcode::ext32s, v);
    default:
      return v;
  }
}

TempId Translator::get_reg(const Insn &insn, int r, unsigned size) {
  if (size == 1 && !insn.rex && r >= 4 && r < 8) {
    TempId d = tmp();
    b.extract(Type::i64, d, reg[r - 4], 8, 8);
    return d;
  }
  if (size < 8) return zext(size, reg[r]);
  TempId d = tmp();  // a copy: later writes to the register must not change the value
  b.mov(jit::Type::i64, d, reg[r]);
  return d;
}

void Translator::set_reg(const Insn &insn, int r, unsigned size, TempId v) {
  switch (size) {
    case 1:
      if (!insn.rex && r >= 4 && r < 8) {
        b.deposit(Type::i64, reg[r - 4], reg[r - 4], v, 8, 8);
      } else {
        b.deposit(Type::i64, reg[r], reg[r], v, 0, 8);
      }
      break;
    case 2:
      b.deposit(Type::i64, reg[r], reg[r], v, 0, 16);
      break;
    case 4:
      b.unop(Opcode::ext32u, Type::i64, reg[r], v);
      break;
    default:
      b.mov(Type::i64, reg[r], v);
      break;
  }
}

TempId Translator::seg_addr(const Insn &insn, TempId off) {
  if (insn.addr32) off = zext(4, off);
  if (insn.seg == kSegNone) return off;
  TempId base = tmp();
  b.ld_env(Type::i64, base,
           insn.seg == kSegFS ? offsetof(CpuX86, fs_base) : offsetof(CpuX86, gs_base), jit::kMo64);
  return binop(Opcode::add, off, base);
}

TempId Translator::ea(const Insn &insn) {
  if (ea_) return ea_;
  TempId a;
  if (insn.base == Insn::kRipBase) {
    a = cst(insn.next_pc + static_cast<uint64_t>(insn.disp));
  } else {
    a = 0;
    if (insn.base >= 0) a = reg[insn.base];
    if (insn.index >= 0) {
      TempId ix = reg[insn.index];
      if (insn.scale) ix = binop(Opcode::shl, ix, cst(insn.scale));
      a = a ? binop(Opcode::add, a, ix) : ix;
    }
    if (!a) {
      a = cst(static_cast<uint64_t>(insn.disp));
    } else if (insn.disp) {
      a = binop(Opcode::add, a, cst(static_cast<uint64_t>(insn.disp)));
    } else {
      a = binop(Opcode::add, a, cst(0));  // a copy of the register
    }
  }
  ea_ = seg_addr(insn, a);
  return ea_;
}

TempId Translator::load(TempId addr, unsigned size, bool sign) {
  TempId d = tmp();
  b.qemu_ld(Type::i64, d, addr, memop_of(size) | (sign ? uint32_t{jit::kMoSign} : 0u));
  return d;
}

void Translator::store(TempId addr, unsigned size, TempId v) {
  b.qemu_st(Type::i64, v, addr, memop_of(size));
}

TempId Translator::host_addr(TempId addr) {
  if (!opts.guest_base) return addr;
  return binop(Opcode::add, addr, cst(opts.guest_base));
}

TempId Translator::get(const Insn &insn, Opnd form) {
  unsigned size = operand_size(insn, form);
  switch (form) {
    case Opnd::Eb:
    case Opnd::Ew:
    case Opnd::Ed:
    case Opnd::Ev:
    case Opnd::Ey:
    case Opnd::Eq:
      if (insn.is_mem()) return load(ea(insn), size);
      return get_reg(insn, insn.rm, size);
    case Opnd::M:
      return ea(insn);
    case Opnd::Gb:
    case Opnd::Gw:
    case Opnd::Gd:
    case Opnd::Gv:
    case Opnd::Gy:
    case Opnd::Gq:
      return get_reg(insn, insn.reg, size);
    case Opnd::By:
      return get_reg(insn, insn.vex_vvvv, size);
    case Opnd::Ib:
      return cst(insn.imm & 0xff);
    case Opnd::Iw:
      return cst(insn.imm & 0xffff);
    case Opnd::Ibs:
    case Opnd::Iz:
    case Opnd::Iv:
    case Opnd::Jb:
    case Opnd::Jz:
      return cst(insn.imm & size_mask(insn.osize));
    case Opnd::AL:
      return get_reg(insn, RAX, 1);
    case Opnd::rAX:
      return get_reg(insn, RAX, insn.osize);
    case Opnd::CL:
      return get_reg(insn, RCX, 1);
    case Opnd::DX:
      return get_reg(insn, RDX, 2);
    case Opnd::One:
      return cst(1);
    case Opnd::Zb:
    case Opnd::Zv:
    case Opnd::Zq:
      return get_reg(insn, (insn.opc & 7) | ((insn.rex & 1) << 3), size);
    case Opnd::Ob:
    case Opnd::Ov: {
      Insn noaddr32 = insn;
      noaddr32.addr32 = false;
      return load(seg_addr(noaddr32, cst(insn.imm)), size);
    }
    default:
      return cst(0);
  }
}

void Translator::put(const Insn &insn, Opnd form, TempId v) {
  unsigned size = operand_size(insn, form);
  switch (form) {
    case Opnd::Eb:
    case Opnd::Ew:
    case Opnd::Ed:
    case Opnd::Ev:
    case Opnd::Ey:
    case Opnd::Eq:
      if (insn.is_mem()) {
        store(ea(insn), size, v);
      } else {
        set_reg(insn, insn.rm, size, v);
      }
      break;
    case Opnd::Gb:
    case Opnd::Gw:
    case Opnd::Gd:
    case Opnd::Gv:
    case Opnd::Gy:
    case Opnd::Gq:
      set_reg(insn, insn.reg, size, v);
      break;
    case Opnd::By:
      set_reg(insn, insn.vex_vvvv, size, v);
      break;
    case Opnd::AL:
      set_reg(insn, RAX, 1, v);
      break;
    case Opnd::rAX:
      set_reg(insn, RAX, insn.osize, v);
      break;
    case Opnd::Zb:
    case Opnd::Zv:
    case Opnd::Zq:
      set_reg(insn, (insn.opc & 7) | ((insn.rex & 1) << 3), size, v);
      break;
    case Opnd::Ob:
    case Opnd::Ov: {
      Insn noaddr32 = insn;
      noaddr32.addr32 = false;
      store(seg_addr(noaddr32, cst(insn.imm)), size, v);
      break;
    }
    default:
      break;
  }
}

// Condition codes.

void Translator::set_cc(uint32_t op, TempId dst, TempId src, TempId src2) {
  if (dst) b.mov(Type::i64, cc_dst, dst);
  if (src) b.mov(Type::i64, cc_src, src);
  if (src2) b.mov(Type::i64, cc_src2, src2);
  if (cc_op != op) {
    cc_op = op;
    cc_dirty = true;
  }
}

void Translator::set_flags(TempId f) {
  set_cc(kCcEflags, 0, f);
}

TempId Translator::call(const jit::HelperInfo &h, std::initializer_list<TempId> args) {
  TempId d = tmp();
  b.call(&h, d, args);
  return d;
}

void Translator::call_void(const jit::HelperInfo &h, std::initializer_list<TempId> args) {
  b.ir().emit_call(b.ir().add_helper(&h), h.has_result ? tmp() : jit::TempId(-1), args);
}

TempId Translator::eflags() {
  if (cc_op == kCcEflags) return binop(Opcode::and_, cc_src, cst(kArithFlags));
  TempId op;
  if (cc_op == kCcDynamic) {
    op = tmp();
    b.unop(Opcode::extu_i32_i64, Type::i64, op, cc_op_g);
  } else {
    op = cst(cc_op);
  }
  return call(kHelperEflags, {op, cc_dst, cc_src, cc_src2});
}

TempId Translator::carry() {
  const unsigned size = cc_op == kCcDynamic ? 8 : 1u << cc_size_log2(cc_op);
  if (cc_op != kCcDynamic && (cc_op & kCcRot)) {
    if (!(cc_op & kCcRotRight)) return binop(Opcode::and_, cc_src2, cst(1));
    const unsigned bits = 8u << ((cc_op >> kCcRotSizeShift) & 3);
    return binop(Opcode::and_, binop(Opcode::shr, cc_src2, cst(bits - 1)), cst(1));
  }
  TempId d = tmp();
  switch (cc_op == kCcDynamic ? kCcDynamic : cc_kind(cc_op)) {
    case kCcEflags:
    case kCcInc:
    case kCcDec:
      return binop(Opcode::and_, cc_src, cst(1));
    case kCcLogic:
      return cst(0);
    case kCcAdd:
      b.setcond(Type::i64, Cond::ltu, d, cc_dst, cc_src);
      return d;
    case kCcSub: {
      TempId src1 = zext(size, binop(Opcode::add, cc_dst, cc_src));
      b.setcond(Type::i64, Cond::ltu, d, src1, cc_src);
      return d;
    }
    case kCcMul:
      b.setcond(Type::i64, Cond::ne, d, cc_src, cst(0));
      return d;
    default:
      return binop(Opcode::and_, eflags(), cst(1));
  }
}

CondExpr Translator::cond(unsigned cc) {
  const bool inv = cc & 1;
  const unsigned base = cc >> 1;  // o b z be s p l le
  enum { O, B, Z, BE, S, P, L, LE };
  auto done = [&](CondExpr e) {
    if (inv) e.c = jit::cond_invert(e.c);
    return e;
  };
  const TempId zero = cst(0);
  if (cc_op != kCcDynamic) {
    const uint32_t kind = cc_kind(cc_op);
    const unsigned size = 1u << cc_size_log2(cc_op);
    if (kind == kCcSub) {
      TempId src2 = cc_src;
      switch (base) {
        case B:
          return done({Cond::ltu, zext(size, binop(Opcode::add, cc_dst, cc_src)), src2});
        case BE:
          return done({Cond::leu, zext(size, binop(Opcode::add, cc_dst, cc_src)), src2});
        case L:
          return done({Cond::lt, sext(size, binop(Opcode::add, cc_dst, cc_src)), sext(size, src2)});
        case LE:
          return done({Cond::le, sext(size, binop(Opcode::add, cc_dst, cc_src)), sext(size, src2)});
        default:
          break;
      }
    }
    if (kind == kCcLogic) {
      switch (base) {
        case O:
        case B:
          return done({Cond::never, zero, zero});
        case BE:
          return done({Cond::eq, cc_dst, zero});
        case L:
          return done({Cond::lt, sext(size, cc_dst), zero});
        case LE:
          return done({Cond::le, sext(size, cc_dst), zero});
        default:
          break;
      }
    }
    if (kind == kCcAdd && base == B) return done({Cond::ltu, cc_dst, cc_src});
    if (kind != kCcEflags) {
      if (base == Z) return done({Cond::eq, cc_dst, zero});
      if (base == S) return done({Cond::lt, sext(size, cc_dst), zero});
    }
  }
  TempId f = eflags();
  TempId bit;
  switch (base) {
    case O:
      bit = binop(Opcode::and_, f, cst(kOF));
      break;
    case B:
      bit = binop(Opcode::and_, f, cst(kCF));
      break;
    case Z:
      bit = binop(Opcode::and_, f, cst(kZF));
      break;
    case BE:
      bit = binop(Opcode::and_, f, cst(kCF | kZF));
      break;
    case S:
      bit = binop(Opcode::and_, f, cst(kSF));
      break;
    case P:
      bit = binop(Opcode::and_, f, cst(kPF));
      break;
    case L: {
      TempId x = binop(Opcode::xor_, f, binop(Opcode::shr, f, cst(4)));  // OF ^ SF at bit 7
      bit = binop(Opcode::and_, x, cst(kSF));
      break;
    }
    default: {
      TempId x = binop(Opcode::xor_, f, binop(Opcode::shr, f, cst(4)));
      bit = binop(Opcode::and_, binop(Opcode::or_, x, binop(Opcode::shl, f, cst(1))), cst(kSF));
      break;
    }
  }
  return done({Cond::ne, bit, zero});
}

TempId Translator::setcc(unsigned cc) {
  CondExpr e = cond(cc);
  TempId d = tmp();
  b.setcond(Type::i64, e.c, d, e.a, e.b);
  return d;
}

void Translator::sync_cc_op() {
  sync_cc_op_keep_dirty();
  cc_dirty = false;
}

void Translator::sync_cc_op_keep_dirty() {
  if (cc_dirty && cc_op != kCcDynamic) b.movi(Type::i32, cc_op_g, cc_op);
}

// Exits.

void Translator::gen_exception_at_label(uint32_t excp, uint64_t pc) {
  TempId v = tmp();
  b.movi(Type::i64, v, excp);
  b.st_env(Type::i64, v, offsetof(CpuX86, exception_index), jit::kMo32);
  b.st_env(Type::i64, cst(0), offsetof(CpuX86, error_code), jit::kMo32);
  b.movi(Type::i64, rip, pc);
  sync_cc_op_keep_dirty();
  b.exit_tb(kExitException);
}

void Translator::gen_exception(uint32_t excp, uint64_t pc, uint32_t error_code) {
  TempId v = tmp();
  b.movi(Type::i64, v, excp);
  b.st_env(Type::i64, v, offsetof(CpuX86, exception_index), jit::kMo32);
  b.st_env(Type::i64, cst(error_code), offsetof(CpuX86, error_code), jit::kMo32);
  b.movi(Type::i64, rip, pc);
  sync_cc_op();
  b.exit_tb(kExitException);
  ended = true;
}

void Translator::jump(uint64_t target, unsigned slot) {
  if (single_step()) {
    exit_with(kExitSingleStep, target);
    return;
  }
  sync_cc_op();
  b.goto_tb(slot);
  b.movi(Type::i64, rip, target);
  b.exit_tb(jit::kExitChain0 + slot);
  ended = true;
}

void Translator::jump_indirect(TempId target) {
  b.mov(Type::i64, rip, target);
  sync_cc_op();
  if (single_step()) {
    b.exit_tb(kExitSingleStep);
  } else if (opts.lookup_tb) {
    TempId p = call(*opts.lookup_tb, {env_ptr()});
    b.goto_ptr(p);
  } else {
    b.exit_tb(jit::kExitNext);
  }
  ended = true;
}

void Translator::exit_with(uint64_t value, uint64_t next_pc) {
  b.movi(Type::i64, rip, next_pc);
  sync_cc_op();
  b.exit_tb(value);
  ended = true;
}

}  // namespace qemu::x86
