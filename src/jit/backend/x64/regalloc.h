// The register allocator: one linear pass over the op list, driven by Op::life.
//
// Every temp has a home: a global its field in the CPU state ([r14 + offset]), a TB or block
// temp a stack slot ([rsp + 8 * slot]; TB temps keep theirs for the whole block, block temps
// give theirs back when they die), a constant its value. A temp's value is in at most one
// register; `in_mem` says whether the home holds it too. Registers are filled lazily (on first
// use) and written back when the liveness pass asks (sync bits), when evicted, and at the
// block's control flow: at branches and labels globals and TB temps are in their homes, and
// after a label nothing is assumed to be in a register.
#pragma once

#include <xbyak/xbyak.h>

#include <bitset>
#include <initializer_list>
#include <vector>

#include "jit/backend/x64/frame.h"
#include "jit/ir/ir.h"

namespace qemu::jit::x64 {

class RegAlloc {
 public:
  RegAlloc(const Ir &ir, Xbyak::CodeGenerator &g, RegMask allocatable);

  // Per op: begin_op, then use/scratch/claim/out_reg while emitting, then end_op.
  void begin_op(const Op &op);
  // out_regs[i]: the register holding output i, kInMemory when the op stored it to its home,
  // kNotComputed for a dead output the op did not compute.
  static constexpr int kInMemory = -1, kNotComputed = -2;
  void end_op(const int *out_regs);

  bool is_const(TempId t) const { return ir_.temp(t).kind == TempKind::konst; }
  uint64_t const_value(TempId t) const { return ir_.temp(t).value; }
  Type type(TempId t) const { return ir_.temp(t).type; }
  int reg(TempId t) const { return st_[t].reg; }

  // t's value in a register in `allowed` (loaded if needed), locked until end_op.
  int use(TempId t, RegMask allowed = kAnyReg);
  // A free register in `allowed` (evicting one if needed), locked, holding no temp.
  int scratch(RegMask allowed = kAnyReg);
  // Empties register r (its temp moved to a free register or written home) and locks it.
  void claim(int r);
  // Emits a copy of t's value into r (r holds no temp afterwards; ownership is unchanged).
  void copy_to(int r, TempId t);
  // Whether the register of input t may receive an output: t is not read after this op (or is
  // overwritten by it).
  bool reusable(TempId t) const;
  // Whether t is a global read for the last time here whose value is only in memory: the
  // instruction may take it as a memory operand, at global_addr(t).
  bool dying_in_memory(TempId t) const;
  Xbyak::Address global_addr(TempId t) { return home(t); }
  // The first reusable candidate's register, else a scratch.
  int out_reg(std::initializer_list<TempId> candidates, RegMask allowed = kAnyReg);

  // Control flow.
  void sync_globals();    // every global in memory (before faults, calls, exits)
  void flush();           // globals and TB temps in memory (branches, labels)
  void forget_all();      // after a label: nothing in registers, every home valid
  void forget_globals();  // after a call that writes globals
  // Before a call: caller-saved registers emptied (live values moved to free callee-saved
  // registers or written home). Their contents stay physically in place (arguments are read
  // from them afterwards).
  void save_caller_saved();

  // An i32 or i64 register operand.
  static Xbyak::Reg reg_of(int r, Type t) {
    if (t == Type::i32) return Xbyak::Reg32(r);
    return Xbyak::Reg64(r);
  }
  // Emits r = v with the shortest mov (never touches the flags).
  void mov_imm(int r, uint64_t v);

  // Whether t's value is known to have its upper 32 bits clear (an i32 always has; an i64
  // after a zero extension, a narrow unsigned load, ...), so zero extensions are copies.
  bool zext(TempId t) const {
    const TempInfo &ti = ir_.temp(t);
    if (ti.kind == TempKind::konst) return ti.value <= 0xffffffffull;
    return ti.type == Type::i32 || zext_[t];
  }
  void set_zext(TempId t, bool z) { zext_[t] = z; }

  // t is dead (for ops fused into the current one: their dead inputs).
  void release_temp(TempId t) { release(t); }

  bool overflow() const { return overflow_; }
  const Op &op() const { return *op_; }

 private:
  struct State {
    int8_t reg = -1;
    bool in_mem = true;
    int16_t slot = -1;
  };

  void load(int r, TempId t);
  void store(TempId t);
  void release(TempId t);  // t dies: register and (block temps) slot given back
  void drop_reg(int r);    // the register forgets its temp (the value must be home already)
  int free_reg(RegMask allowed) const;
  int victim(RegMask allowed) const;
  void evict(int r);
  int slot_for(TempId t);
  Xbyak::Address home(TempId t);
  void touch(int r) { last_use_[r] = ++clock_; }

  const Ir &ir_;
  Xbyak::CodeGenerator &g_;
  RegMask allocatable_;
  std::vector<State> st_;
  std::vector<uint8_t> zext_;
  int owner_[16];
  uint32_t last_use_[16] = {};
  uint32_t clock_ = 0;
  RegMask locked_ = 0;
  std::bitset<kSpillSlots> slots_;
  bool overflow_ = false;
  const Op *op_ = nullptr;
};

}  // namespace qemu::jit::x64
