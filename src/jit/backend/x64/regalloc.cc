#include "jit/backend/x64/regalloc.h"

#include <algorithm>

namespace qemu::jit::x64 {

using Xbyak::Reg32;
using Xbyak::Reg64;

RegAlloc::RegAlloc(const Ir &ir, Xbyak::CodeGenerator &g, RegMask allocatable)
    : ir_(ir), g_(g), allocatable_(allocatable), st_(ir.num_temps()), zext_(ir.num_temps(), 0) {
  for (int &o : owner_) o = -1;
  for (TempId t = 0; t < ir.num_temps(); t++) {
    TempKind k = ir.temp(t).kind;
    // Globals start in memory; other temps have no value yet (read as 0 if ever).
    st_[t].in_mem = k == TempKind::global;
  }
}

void RegAlloc::begin_op(const Op &op) {
  op_ = &op;
  locked_ = 0;
}

void RegAlloc::mov_imm(int r, uint64_t v) {
  if (v <= 0xffffffffull) {
    g_.mov(Reg32(r), static_cast<uint32_t>(v));
  } else if (static_cast<int64_t>(v) == static_cast<int32_t>(v)) {
    g_.mov(Reg64(r), static_cast<int32_t>(v));  // sign-extended imm32
  } else {
    g_.mov(Reg64(r), v);
  }
}

int RegAlloc::slot_for(TempId t) {
  State &s = st_[t];
  if (s.slot >= 0) return s.slot;
  for (unsigned i = 0; i < kSpillSlots; i++) {
    if (!slots_[i]) {
      slots_[i] = true;
      s.slot = static_cast<int16_t>(i);
      return s.slot;
    }
  }
  overflow_ = true;  // compile() gives up with too_many_temps
  s.slot = 0;
  return 0;
}

Xbyak::Address RegAlloc::home(TempId t) {
  const TempInfo &ti = ir_.temp(t);
  if (ti.kind == TempKind::global) {
    auto off = static_cast<int32_t>(ti.offset);
    return ti.type == Type::i32 ? g_.dword[Reg64(kEnvReg) + off] : g_.qword[Reg64(kEnvReg) + off];
  }
  return g_.qword[Reg64(kRsp) + slot_for(t) * 8];
}

void RegAlloc::load(int r, TempId t) {
  const TempInfo &ti = ir_.temp(t);
  switch (ti.kind) {
    case TempKind::konst:
      mov_imm(r, ti.value);
      break;
    case TempKind::env:
      g_.mov(Reg64(r), Reg64(kEnvReg));
      break;
    case TempKind::global:
      g_.mov(reg_of(r, ti.type), home(t));
      break;
    default:
      if (st_[t].slot >= 0 && st_[t].in_mem) {
        g_.mov(Reg64(r), home(t));
      } else {
        g_.mov(Reg32(r), 0);  // never written: the interpreter's initial value
      }
      break;
  }
}

void RegAlloc::store(TempId t) {
  State &s = st_[t];
  TempKind k = ir_.temp(t).kind;
  if (s.reg < 0 || s.in_mem || k == TempKind::konst || k == TempKind::env) return;
  Type ty = k == TempKind::global ? ir_.temp(t).type : Type::i64;
  g_.mov(home(t), reg_of(s.reg, ty));
  s.in_mem = true;
}

void RegAlloc::drop_reg(int r) {
  int t = owner_[r];
  if (t < 0) return;
  st_[t].reg = -1;
  owner_[r] = -1;
}

void RegAlloc::release(TempId t) {
  State &s = st_[t];
  TempKind k = ir_.temp(t).kind;
  if (k == TempKind::env) return;
  if (s.reg >= 0) drop_reg(s.reg);
  if (k == TempKind::bb) {
    if (s.slot >= 0) slots_[s.slot] = false;
    s.slot = -1;
    s.in_mem = false;
  }
}

int RegAlloc::free_reg(RegMask allowed) const {
  // Callee-saved registers first (they survive calls), then the caller-saved ones least used by
  // fixed-register instructions.
  static const int kOrder[] = {kRbx, kRbp, kR12, kR13, kR15, kRsi, kRdi,
                               kR8,  kR9,  kR10, kR11, kRax, kRdx, kRcx};
  for (int r : kOrder) {
    if ((allocatable_ & allowed & ~locked_ & bit(r)) && owner_[r] < 0) return r;
  }
  return -1;
}

int RegAlloc::victim(RegMask allowed) const {
  int best = -1;
  bool best_clean = false;
  for (int r = 0; r < 16; r++) {
    if (!(allocatable_ & allowed & ~locked_ & bit(r))) continue;
    int t = owner_[r];
    bool clean = t < 0 || st_[t].in_mem || ir_.temp(t).kind == TempKind::konst;
    if (best < 0 || (clean && !best_clean) ||
        (clean == best_clean && last_use_[r] < last_use_[best])) {
      best = r;
      best_clean = clean;
    }
  }
  return best;
}

void RegAlloc::evict(int r) {
  int t = owner_[r];
  if (t < 0) return;
  store(static_cast<TempId>(t));
  drop_reg(r);
}

int RegAlloc::scratch(RegMask allowed) {
  int r = free_reg(allowed);
  if (r < 0) {
    r = victim(allowed);
    if (r < 0) std::abort();  // every register locked by one op: cannot happen (<= 8 operands)
    evict(r);
  }
  locked_ |= bit(r);
  touch(r);
  return r;
}

void RegAlloc::claim(int r) {
  int t = owner_[r];
  if (t >= 0) {
    int f = free_reg(kAnyReg & ~bit(r));
    if (f >= 0) {
      g_.mov(Reg64(f), Reg64(r));
      owner_[f] = t;
      owner_[r] = -1;
      st_[t].reg = static_cast<int8_t>(f);
      touch(f);
      if (locked_ & bit(r)) locked_ |= bit(f);
    } else {
      evict(r);
    }
  }
  locked_ |= bit(r);
  touch(r);
}

int RegAlloc::use(TempId t, RegMask allowed) {
  if (ir_.temp(t).kind == TempKind::env) return kEnvReg;
  State &s = st_[t];
  if (s.reg >= 0) {
    if (allowed & bit(s.reg)) {
      locked_ |= bit(s.reg);
      touch(s.reg);
      return s.reg;
    }
    // In a register not allowed here: move it.
    int r = scratch(allowed);
    g_.mov(Reg64(r), Reg64(s.reg));
    owner_[s.reg] = -1;
    owner_[r] = static_cast<int>(t);
    s.reg = static_cast<int8_t>(r);
    return r;
  }
  int r = scratch(allowed);
  load(r, t);
  owner_[r] = static_cast<int>(t);
  s.reg = static_cast<int8_t>(r);
  return r;
}

void RegAlloc::copy_to(int r, TempId t) {
  int cur = ir_.temp(t).kind == TempKind::env ? kEnvReg : st_[t].reg;
  if (cur == r) {
    // r is claimed, so t cannot be there; kept for safety.
    return;
  }
  if (cur >= 0) {
    g_.mov(Reg64(r), Reg64(cur));
  } else {
    load(r, t);
  }
}

bool RegAlloc::reusable(TempId t) const {
  const Op &op = *op_;
  TempKind k = ir_.temp(t).kind;
  if (k == TempKind::env || st_[t].reg < 0) return false;
  for (unsigned i = 0; i < op.nout; i++) {
    if (op.out(i) == t) return true;
  }
  for (unsigned i = 0; i < op.nin; i++) {
    if (op.in(i) == t && op.dead_arg(op.nout + i)) return true;
  }
  return false;
}

bool RegAlloc::dying_in_memory(TempId t) const {
  const Op &op = *op_;
  if (ir_.temp(t).kind != TempKind::global || st_[t].reg >= 0 || !st_[t].in_mem) return false;
  bool dead = false;
  for (unsigned i = 0; i < op.nin; i++) {
    if (op.in(i) == t) {
      if (dead) return false;  // read twice: once in a register is better
      dead = op.dead_arg(op.nout + i);
      if (!dead) return false;
    }
  }
  return dead;
}

int RegAlloc::out_reg(std::initializer_list<TempId> candidates, RegMask allowed) {
  for (TempId c : candidates) {
    if (reusable(c) && (allowed & bit(st_[c].reg))) return st_[c].reg;
  }
  return scratch(allowed);
}

void RegAlloc::end_op(const int *out_regs) {
  const Op &op = *op_;
  auto is_out = [&](TempId t) {
    for (unsigned i = 0; i < op.nout; i++) {
      if (op.out(i) == t) return true;
    }
    return false;
  };
  for (unsigned i = 0; i < op.nin; i++) {
    TempId t = op.in(i);
    if (op.dead_arg(op.nout + i) && !is_out(t)) release(t);
  }
  for (unsigned i = 0; i < op.nout; i++) {
    TempId t = op.out(i);
    int r = out_regs[i];
    State &s = st_[t];
    if (r == kNotComputed) {
      release(t);
      continue;
    }
    if (r == kInMemory) {
      if (s.reg >= 0) drop_reg(s.reg);
      s.in_mem = true;
      if (op.dead_arg(i)) release(t);
      continue;
    }
    if (s.reg >= 0 && s.reg != r) drop_reg(s.reg);
    if (owner_[r] >= 0 && owner_[r] != static_cast<int>(t)) drop_reg(r);
    owner_[r] = static_cast<int>(t);
    s.reg = static_cast<int8_t>(r);
    s.in_mem = false;
    touch(r);
    if (ir_.temp(t).kind == TempKind::global && op.sync_out(i)) store(t);
    if (op.dead_arg(i)) release(t);
  }
  locked_ = 0;
}

void RegAlloc::sync_globals() {
  for (int r = 0; r < 16; r++) {
    int t = owner_[r];
    if (t >= 0 && ir_.temp(t).kind == TempKind::global) store(static_cast<TempId>(t));
  }
}

void RegAlloc::flush() {
  for (int r = 0; r < 16; r++) {
    int t = owner_[r];
    if (t < 0) continue;
    TempKind k = ir_.temp(t).kind;
    if (k == TempKind::global || k == TempKind::tb) store(static_cast<TempId>(t));
  }
}

void RegAlloc::forget_all() {
  for (int r = 0; r < 16; r++) drop_reg(r);
  std::fill(zext_.begin(), zext_.end(), 0);  // other paths join here
  for (TempId t = 0; t < st_.size(); t++) {
    TempKind k = ir_.temp(t).kind;
    if (k == TempKind::global) st_[t].in_mem = true;
    if (k == TempKind::tb) st_[t].in_mem = st_[t].slot >= 0;
    if (k == TempKind::bb) release(t);
  }
}

void RegAlloc::forget_globals() {
  for (int r = 0; r < 16; r++) {
    int t = owner_[r];
    if (t >= 0 && ir_.temp(t).kind == TempKind::global) drop_reg(r);
  }
  for (TempId t = 0; t < st_.size(); t++) {
    if (ir_.temp(t).kind == TempKind::global) {
      st_[t].in_mem = true;
      zext_[t] = 0;  // the helper may have written anything
    }
  }
}

void RegAlloc::save_caller_saved() {
  const Op &op = *op_;
  auto dies = [&](TempId t) {
    for (unsigned i = 0; i < op.nin; i++) {
      if (op.in(i) == t && op.dead_arg(op.nout + i)) return true;
    }
    return false;
  };
  for (int r = 0; r < 16; r++) {
    if (!(kCallerSaved & bit(r))) continue;
    int t = owner_[r];
    if (t < 0) continue;
    TempId tt = static_cast<TempId>(t);
    TempKind k = ir_.temp(tt).kind;
    if (k != TempKind::konst && !dies(tt)) {
      int f = free_reg(static_cast<RegMask>(~kCallerSaved));
      if (f >= 0) {
        g_.mov(Reg64(f), Reg64(r));
        owner_[f] = t;
        owner_[r] = -1;
        st_[tt].reg = static_cast<int8_t>(f);
        touch(f);
        continue;
      }
      store(tt);
    }
    drop_reg(r);
  }
}

}  // namespace qemu::jit::x64
