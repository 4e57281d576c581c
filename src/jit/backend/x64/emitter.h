// The per-op code emission of compile(): one Emitter per block, one method per op family
// (emit_*.cc), all sharing the register allocator.
#pragma once

#include <xbyak/xbyak.h>

#include <vector>

#include "jit/backend/x64/codegen.h"
#include "jit/backend/x64/insn_map.h"
#include "jit/backend/x64/regalloc.h"

namespace qemu::jit::x64 {

// x86 condition codes (the low nibble of jcc/setcc/cmovcc).
enum class X86Cond : uint8_t { o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g };

X86Cond x86_cond(Cond c);
inline X86Cond invert(X86Cond c) {
  return static_cast<X86Cond>(static_cast<uint8_t>(c) ^ 1);
}

class Emitter {
 public:
  Emitter(const Ir &ir, Xbyak::CodeGenerator &g, const CodeBuffer &buf, const CodegenOptions &opt,
          CompiledTb *out);

  // Emits the whole block; false (with *why) when it cannot.
  bool run(CodegenError *why);

 private:
  using Reg = Xbyak::Reg;
  static Reg R(int r, Type t) { return RegAlloc::reg_of(r, t); }
  static Xbyak::Reg32e E(int r, Type t) { return Xbyak::Reg32e(r, t == Type::i32 ? 32 : 64); }
  bool has(uint32_t feature) const { return (features_ & feature) != 0; }
  // Whether temp x is a constant usable as an imm32 operand of a `t` instruction.
  bool imm_ok(TempId x, Type t) const;
  int32_t imm(TempId x) const { return static_cast<int32_t>(ra_.const_value(x)); }
  void mov_rr(int d, int s, Type t);
  // Emits `op r, imm` or `op r, other-reg` for the two-operand ALU instructions.
  void alu_rr(Opcode o, const Reg &d, const Reg &s);
  void alu_ri(Opcode o, const Reg &d, int32_t v);
  // Compares a with b for cond c (the operands may be swapped); returns the x86 condition.
  X86Cond compare(Type t, TempId a, TempId b, Cond c);
  void setcc(X86Cond c, const Xbyak::Reg8 &r);
  void cmovcc(X86Cond c, const Reg &d, const Reg &s);
  void jcc(X86Cond c, const Xbyak::Label &l);
  // [base + off] for a host pointer in register base.
  Xbyak::RegExp host_addr(int base, int64_t off);
  Xbyak::RegExp guest_addr(int addr);
  void load(Type t, uint32_t memop, int rd, const Xbyak::RegExp &addr, bool full_width);
  void store(Type t, uint32_t memop, TempId v, const Xbyak::RegExp &addr);

  // op copies src (of type t) into its output: when that is a global written back at once and
  // not read again, stores src's register straight to it (and ends the op).
  bool copy_to_dying_global(const Op &op, TempId src, Type t);
  void emit_mov(const Op &op);
  void emit_movi(const Op &op);
  void emit_alu(const Op &op);
  void emit_unary(const Op &op);
  void emit_shift(const Op &op);
  void emit_clz_ctz(const Op &op);
  void emit_ctpop(const Op &op);
  void emit_bswap(const Op &op);
  void emit_ext(const Op &op);
  void emit_deposit(const Op &op);
  void emit_extract(const Op &op);
  void emit_mul2(const Op &op);
  void emit_addsub2(const Op &op);
  void emit_setcond(const Op &op);
  void emit_movcond(const Op &op);
  void emit_brcond(const Op &op);
  void emit_br(const Op &op);
  void emit_set_label(const Op &op);
  // Loads and stores; the address is base (+ index) + disp (+ the op's offset for ld/st).
  // fused: the `add addr, base, disp|index` folded into the access (its dead inputs are
  // released here).
  static constexpr TempId kNoIndex = UINT32_MAX;
  void emit_memory(const Op &op, TempId base, TempId index, int64_t disp, const Op *fused);
  // Folds `add t, x, imm` (or `add t, x, y` where the address has room for two registers) into
  // the load or store that follows and is t's last use.
  bool try_fuse_address(const Op &add, const Op &mem);
  void emit_call(const Op &op);
  // `call fn`: rel32 when fn is in reach, else through rax (which it clobbers).
  void call_host(const void *fn);
  // `call lookup_fn; goto_ptr` of CodegenOptions::inline_lookup (both ops); false when the pair
  // is something else.
  bool try_inline_lookup(const Op &call, const Op &next);
  // The call of CodegenOptions::inline_scalar_double (after the caller-saved registers are
  // empty): the operation inline with the call as its slow path; false when op is another call.
  bool try_inline_scalar_double(const Op &op);
  void emit_exit_tb(const Op &op);
  void emit_goto_tb(const Op &op);
  void emit_goto_ptr(const Op &op);
  void emit_mb(const Op &op);
  void emit_insn_start(const Op &op);
  void emit_op(const Op &op);
  // Whether output 0 of op has its upper 32 bits clear (inputs' knowledge before the op).
  bool result_zext(const Op &op) const;
  // emit_op, then the outputs' zero-extension knowledge.
  void emit_tracked(const Op &op);

  // Ends an op with one output in register r.
  void done(int r) { ra_.end_op(&r); }
  void done() { ra_.end_op(nullptr); }

  const Ir &ir_;
  Xbyak::CodeGenerator &g_;
  const CodeBuffer &buf_;
  const CodegenOptions &opt_;
  CompiledTb *out_;
  uint32_t features_;
  RegAlloc ra_;
  std::vector<Xbyak::Label> labels_;
  InsnMapWriter map_;
  bool reachable_ = true;
  bool unsupported_ = false;
};

}  // namespace qemu::jit::x64
