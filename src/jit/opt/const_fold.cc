#include <optional>
#include <vector>

#include "jit/ir/eval.h"
#include "jit/opt/passes.h"

namespace qemu::jit {

namespace {

class Folder {
 public:
  explicit Folder(Ir &ir) : ir_(ir), known_(ir.num_temps()) {}

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

  void forget_all() { known_.assign(known_.size(), std::nullopt); }
  void forget_globals() {
    for (TempId t = 0; t < known_.size(); t++) {
      if (ir_.temp(t).kind == TempKind::global) known_[t].reset();
    }
  }

  void emit_movi(Type t, TempId d, uint64_t v) {
    v &= type_mask(t);
    ir_.emit(Opcode::movi, t, {d, v});
    known_[d] = v;
  }
  void emit_mov(Type t, TempId d, TempId s) {
    ir_.emit(Opcode::mov, t, {d, s});
    known_[d] = value(s);
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

    ir_.ops.push_back(op);
    if (opc == Opcode::call && call_writes_globals(ir_, op)) forget_globals();
    for (unsigned i = 0; i < op.nout; i++) known_[op.out(i)].reset();
    if (opc == Opcode::movi) known_[op.out(0)] = op.cst(0) & type_mask(op.type);
  }

  Ir &ir_;
  std::vector<std::optional<uint64_t>> known_;
};

}  // namespace

void fold_constants(Ir &ir) {
  Folder(ir).run();
}

}  // namespace qemu::jit
