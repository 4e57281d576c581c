#include <optional>
#include <vector>

#include "jit/ir/eval.h"
#include "jit/opt/passes.h"

namespace qemu::jit {

namespace {

class Folder {
 public:
  explicit Folder(Ir &ir) : ir_(ir), known_(ir.num_temps()), zeros_(ir.num_temps(), 0) {}

  void run() {
    std::vector<Op> in = std::move(ir_.ops);
    ir_.ops.clear();
    ir_.ops.reserve(in.size());
    for (Op &op : in) fold(op);
  }

 private:
  std::optional<uint64_t> value(TempId t) const {
    const TempInfo &ti = ir_.temp(t);
    if (ti.kind == TempKind::konst) return ti.value;
    if (t < known_.size()) return known_[t];
    return std::nullopt;
  }

  void forget_all() {
    known_.assign(known_.size(), std::nullopt);
    zeros_.assign(zeros_.size(), 0);
  }
  void forget_globals() {
    for (TempId t = 0; t < known_.size(); t++) {
      if (ir_.temp(t).kind == TempKind::global) {
        known_[t].reset();
        zeros_[t] = 0;
      }
    }
  }

  // The bits of t known to be zero (as a 64-bit value: an i32's upper half always is).
  uint64_t zeros(TempId t) const {
    const TempInfo &ti = ir_.temp(t);
    if (std::optional<uint64_t> v = value(t)) return ~*v;
    const uint64_t z = ti.kind == TempKind::env ? 0 : zeros_[t];
    return ti.type == Type::i32 ? z | ~uint64_t{0xffffffff} : z;
  }
  // The bits of op's (first) output known to be zero, from its inputs' before it.
  uint64_t result_zeros(const Op &op) const {
    const uint64_t hi = ~type_mask(op.type);
    auto z = [&](unsigned i) { return zeros(op.in(i)); };
    auto c = [&](unsigned i) { return value(op.in(i)); };
    switch (op.opc) {
      case Opcode::mov:
        return z(0);
      case Opcode::and_:
        return z(0) | z(1);
      case Opcode::andc:
        return c(1) ? z(0) | *c(1) : z(0);
      case Opcode::or_:
      case Opcode::xor_:
        return z(0) & z(1);
      case Opcode::shr:
        if (std::optional<uint64_t> n = c(1)) {
          const unsigned k = static_cast<unsigned>(*n & (type_bits(op.type) - 1));
          return ((z(0) | hi) >> k) | ~(~uint64_t{0} >> k) | hi;
        }
        return hi;
      case Opcode::shl:
        if (std::optional<uint64_t> n = c(1)) {
          const unsigned k = static_cast<unsigned>(*n & (type_bits(op.type) - 1));
          return k ? (z(0) << k) | ((uint64_t{1} << k) - 1) | hi : z(0);
        }
        return hi;
      case Opcode::ext8u:
        return ~uint64_t{0xff} | z(0);
      case Opcode::ext16u:
        return ~uint64_t{0xffff} | z(0);
      case Opcode::ext32u:
      case Opcode::extu_i32_i64:
        return ~uint64_t{0xffffffff} | z(0);
      case Opcode::extrl_i64_i32:
        return z(0) | hi;
      case Opcode::setcond:
        return ~uint64_t{1};
      case Opcode::extract:
        return ~((uint64_t{2} << (op.cst(1) - 1)) - 1);
      case Opcode::ld:
      case Opcode::qemu_ld:
        if (op.cst(0) & kMoSign || (op.cst(0) & kMoSizeMask) == kMo64) return hi;
        return ~((uint64_t{2} << (8 * memop_size(static_cast<uint32_t>(op.cst(0))) - 1)) - 1);
      default:
        return hi;
    }
  }
  // Extensions and masks that change nothing, given the bits known zero: true when op became
  // a mov.
  bool redundant_ext(const Op &op) {
    uint64_t keep;  // the bits the op keeps; the rest must be zero already
    switch (op.opc) {
      case Opcode::ext8u:
        keep = 0xff;
        break;
      case Opcode::ext16u:
        keep = 0xffff;
        break;
      case Opcode::ext32u:
        keep = 0xffffffff;
        break;
      case Opcode::ext8s:  // also the sign bit must be zero
        keep = 0x7f;
        break;
      case Opcode::ext16s:
        keep = 0x7fff;
        break;
      case Opcode::ext32s:
        keep = 0x7fffffff;
        break;
      case Opcode::and_:
        if (!value(op.in(1))) return false;
        keep = *value(op.in(1));
        break;
      default:
        return false;
    }
    if ((~keep & ~zeros(op.in(0)) & type_mask(op.type)) != 0) return false;
    emit_mov(op.type, op.out(0), op.in(0));
    return true;
  }

  void emit_movi(Type t, TempId d, uint64_t v) {
    v &= type_mask(t);
    ir_.emit(Opcode::movi, t, {d, v});
    known_[d] = v;
    zeros_[d] = ~v;
  }
  void emit_mov(Type t, TempId d, TempId s) {
    ir_.emit(Opcode::mov, t, {d, s});
    known_[d] = value(s);
    zeros_[d] = zeros(s);
  }

  // Algebraic identities with one constant or equal inputs; true when op was replaced.
  bool simplify(const Op &op) {
    const Type t = op.type;
    const uint64_t ones = type_mask(t);
    TempId d = op.out(0), a = op.in(0), b = op.in(1);
    std::optional<uint64_t> cb = value(b);
    switch (op.opc) {
      case Opcode::add:
      case Opcode::sub:
      case Opcode::or_:
      case Opcode::xor_:
      case Opcode::shl:
      case Opcode::shr:
      case Opcode::sar:
      case Opcode::rotl:
      case Opcode::rotr:
      case Opcode::andc:
        if (cb && (*cb == 0 || (op.opc >= Opcode::shl && op.opc <= Opcode::rotr &&
                                (*cb & (type_bits(t) - 1)) == 0))) {
          emit_mov(t, d, a);
          return true;
        }
        if (a == b && (op.opc == Opcode::sub || op.opc == Opcode::xor_ || op.opc == Opcode::andc)) {
          emit_movi(t, d, 0);
          return true;
        }
        if (a == b && op.opc == Opcode::or_) {
          emit_mov(t, d, a);
          return true;
        }
        return false;
      case Opcode::and_:
        if (cb && *cb == ones) {
          emit_mov(t, d, a);
          return true;
        }
        if (cb && *cb == 0) {
          emit_movi(t, d, 0);
          return true;
        }
        if (a == b) {
          emit_mov(t, d, a);
          return true;
        }
        return false;
      case Opcode::mul:
        if (cb && *cb == 1) {
          emit_mov(t, d, a);
          return true;
        }
        if (cb && *cb == 0) {
          emit_movi(t, d, 0);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  void fold(Op op) {
    const Opcode opc = op.opc;
    if (opc == Opcode::nop) return;
    if (opc == Opcode::set_label) forget_all();

    // Known inputs become constant temps (the env pointer is never a constant).
    bool all_known = true;
    uint64_t in[kMaxArgs] = {};
    for (unsigned i = 0; i < op.nin; i++) {
      TempId t = op.in(i);
      std::optional<uint64_t> v = value(t);
      if (!v) {
        all_known = false;
        continue;
      }
      in[i] = *v;
      if (ir_.temp(t).kind != TempKind::konst) op.set_in(i, ir_.const_temp(ir_.temp(t).type, *v));
    }
    // Commutative ops keep their constant second.
    if (op_has(opc, kCommutative) && value(op.in(0)) && !value(op.in(1))) {
      TempId a = op.in(0);
      op.set_in(0, op.in(1));
      op.set_in(1, a);
      std::swap(in[0], in[1]);
    }

    if (op_has(opc, kFoldable) && all_known) {
      uint64_t out[2];
      eval_op(opc, op.type, in, &op.args[op.nout + op.nin], out);
      for (unsigned i = 0; i < op.nout; i++) emit_movi(op.type, op.out(i), out[i]);
      return;
    }
    if (opc == Opcode::brcond && value(op.in(0)) && value(op.in(1))) {
      if (eval_cond(op.type, static_cast<Cond>(op.cst(0)), in[0], in[1])) {
        ir_.emit(Opcode::br, Type::i64, {op.cst(1)});
      }
      return;
    }
    if (opc == Opcode::movcond && value(op.in(0)) && value(op.in(1))) {
      bool c = eval_cond(op.type, static_cast<Cond>(op.cst(0)), in[0], in[1]);
      emit_mov(op.type, op.out(0), op.in(c ? 2 : 3));
      return;
    }
    if (opc == Opcode::movcond && op.in(2) == op.in(3)) {
      emit_mov(op.type, op.out(0), op.in(2));
      return;
    }
    if (op.nout == 1 && op.nin == 2 && op_has(opc, kFoldable) && simplify(op)) return;
    if (op.nout == 1 && op.nin >= 1 && redundant_ext(op)) return;

    const uint64_t z = op.nout == 1 ? result_zeros(op) : 0;
    ir_.ops.push_back(op);
    if (opc == Opcode::call && call_writes_globals(ir_, op)) forget_globals();
    for (unsigned i = 0; i < op.nout; i++) {
      known_[op.out(i)].reset();
      zeros_[op.out(i)] = 0;
    }
    if (op.nout == 1) zeros_[op.out(0)] = z;
    if (opc == Opcode::movi) known_[op.out(0)] = op.cst(0) & type_mask(op.type);
  }

  Ir &ir_;
  std::vector<std::optional<uint64_t>> known_;
  std::vector<uint64_t> zeros_;  // bits known to be zero (besides an i32's upper half)
};

}  // namespace

void fold_constants(Ir &ir) {
  Folder(ir).run();
}

}  // namespace qemu::jit
