// The API front ends use to emit IR: one method per op, typed temps, constants as temps.
#pragma once

#include "jit/ir/ir.h"

namespace qemu::jit {

class Builder {
 public:
  explicit Builder(Ir &ir) : ir_(ir) {}

  Ir &ir() { return ir_; }
  TempId temp(Type t) { return ir_.new_temp(t, TempKind::bb); }
  TempId tb_temp(Type t) { return ir_.new_temp(t, TempKind::tb); }
  TempId konst(Type t, uint64_t v) { return ir_.const_temp(t, v); }
  LabelId label() { return ir_.new_label(); }

  void mov(Type t, TempId d, TempId s) { ir_.emit(Opcode::mov, t, {d, s}); }
  void movi(Type t, TempId d, uint64_t v) { ir_.emit(Opcode::movi, t, {d, v & type_mask(t)}); }
  // Two-input ops: add, sub, mul, and, or, xor, andc, shl, shr, sar, rotl, rotr, clz, ctz.
  void binop(Opcode o, Type t, TempId d, TempId a, TempId b) { ir_.emit(o, t, {d, a, b}); }
  // One-input ops: not, neg, ctpop, bswap*, ext*, and the conversions between types.
  void unop(Opcode o, Type t, TempId d, TempId a) { ir_.emit(o, t, {d, a}); }
  void add(Type t, TempId d, TempId a, TempId b) { binop(Opcode::add, t, d, a, b); }
  void sub(Type t, TempId d, TempId a, TempId b) { binop(Opcode::sub, t, d, a, b); }
  void addi(Type t, TempId d, TempId a, uint64_t v) { add(t, d, a, konst(t, v)); }
  void deposit(Type t, TempId d, TempId a, TempId b, unsigned pos, unsigned len) {
    ir_.emit(Opcode::deposit, t, {d, a, b, pos, len});
  }
  void extract(Type t, TempId d, TempId a, unsigned pos, unsigned len, bool sign = false) {
    ir_.emit(sign ? Opcode::sextract : Opcode::extract, t, {d, a, pos, len});
  }
  void mul2(bool sign, Type t, TempId lo, TempId hi, TempId a, TempId b) {
    ir_.emit(sign ? Opcode::muls2 : Opcode::mulu2, t, {lo, hi, a, b});
  }
  void add2(Type t, TempId rl, TempId rh, TempId al, TempId ah, TempId bl, TempId bh) {
    ir_.emit(Opcode::add2, t, {rl, rh, al, ah, bl, bh});
  }
  void sub2(Type t, TempId rl, TempId rh, TempId al, TempId ah, TempId bl, TempId bh) {
    ir_.emit(Opcode::sub2, t, {rl, rh, al, ah, bl, bh});
  }
  void setcond(Type t, Cond c, TempId d, TempId a, TempId b) {
    ir_.emit(Opcode::setcond, t, {d, a, b, static_cast<uint64_t>(c)});
  }
  void movcond(Type t, Cond c, TempId d, TempId a, TempId b, TempId vt, TempId vf) {
    ir_.emit(Opcode::movcond, t, {d, a, b, vt, vf, static_cast<uint64_t>(c)});
  }
  void brcond(Type t, Cond c, TempId a, TempId b, LabelId l) {
    ir_.emit(Opcode::brcond, t, {a, b, static_cast<uint64_t>(c), l});
  }
  void set_label(LabelId l) { ir_.emit(Opcode::set_label, Type::i64, {l}); }
  void br(LabelId l) { ir_.emit(Opcode::br, Type::i64, {l}); }
  // CPU state: offsets from the env pointer.
  void ld_env(Type t, TempId d, int64_t offset, uint32_t memop) {
    ir_.emit(Opcode::ld, t, {d, Ir::kEnv, memop, static_cast<uint64_t>(offset)});
  }
  void st_env(Type t, TempId v, int64_t offset, uint32_t memop) {
    ir_.emit(Opcode::st, t, {v, Ir::kEnv, memop, static_cast<uint64_t>(offset)});
  }
  // Guest memory.
  void qemu_ld(Type t, TempId d, TempId addr, uint32_t memop) {
    ir_.emit(Opcode::qemu_ld, t, {d, addr, memop});
  }
  void qemu_st(Type t, TempId v, TempId addr, uint32_t memop) {
    ir_.emit(Opcode::qemu_st, t, {v, addr, memop});
  }
  void call(const HelperInfo *h, TempId result, std::initializer_list<TempId> args) {
    ir_.emit_call(ir_.add_helper(h), result, args);
  }
  void mb(uint32_t kind) { ir_.emit(Opcode::mb, Type::i64, {kind}); }
  void insn_start(uint64_t pc, uint64_t extra = 0) {
    ir_.emit(Opcode::insn_start, Type::i64, {pc, extra});
  }
  void exit_tb(uint64_t value) { ir_.emit(Opcode::exit_tb, Type::i64, {value}); }
  void goto_tb(unsigned slot) { ir_.emit(Opcode::goto_tb, Type::i64, {slot}); }
  void goto_ptr(TempId ptr) { ir_.emit(Opcode::goto_ptr, Type::i64, {ptr}); }

 private:
  Ir &ir_;
};

}  // namespace qemu::jit
