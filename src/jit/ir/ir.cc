#include "jit/ir/ir.h"

#include <fmt/format.h>

#include <algorithm>

namespace qemu::jit {

Ir::Ir() {
  // Room for a typical block without regrowing.
  temps_.reserve(256);
  ops.reserve(512);
  temps_.push_back({Type::i64, TempKind::env, 0, 0, "env"});
  const_slots_.assign(64, 0);
}

TempId Ir::new_global(Type t, int64_t offset, std::string name) {
  temps_.push_back({t, TempKind::global, offset, 0, std::move(name)});
  return static_cast<TempId>(temps_.size() - 1);
}

TempId Ir::new_temp(Type t, TempKind kind) {
  temps_.push_back({t, kind, 0, 0, {}});
  return static_cast<TempId>(temps_.size() - 1);
}

namespace {

size_t const_hash(Type t, uint64_t value) {
  uint64_t h = (value ^ (t == Type::i32 ? 0x9e3779b97f4a7c15ull : 0)) * 0xff51afd7ed558ccdull;
  return static_cast<size_t>(h ^ (h >> 32));
}

}  // namespace

TempId Ir::const_temp(Type t, uint64_t value) {
  value &= type_mask(t);
  const size_t mask = const_slots_.size() - 1;
  for (size_t i = const_hash(t, value) & mask;; i = (i + 1) & mask) {
    const TempId id = const_slots_[i];
    if (id == 0) {
      temps_.push_back({t, TempKind::konst, 0, value, {}});
      const TempId n = static_cast<TempId>(temps_.size() - 1);
      const_slots_[i] = n;
      if (2 * ++num_consts_ > const_slots_.size()) grow_consts();
      return n;
    }
    if (temps_[id].value == value && temps_[id].type == t) return id;
  }
}

void Ir::grow_consts() {
  std::vector<TempId> old = std::move(const_slots_);
  const_slots_.assign(old.size() * 2, 0);
  const size_t mask = const_slots_.size() - 1;
  for (TempId id : old) {
    if (id == 0) continue;
    size_t i = const_hash(temps_[id].type, temps_[id].value) & mask;
    while (const_slots_[i]) i = (i + 1) & mask;
    const_slots_[i] = id;
  }
}

uint32_t Ir::add_helper(const HelperInfo *h) {
  auto it = std::find(helpers_.begin(), helpers_.end(), h);
  if (it != helpers_.end()) return static_cast<uint32_t>(it - helpers_.begin());
  helpers_.push_back(h);
  return static_cast<uint32_t>(helpers_.size() - 1);
}

Op &Ir::emit(Opcode opc, Type type, std::initializer_list<uint64_t> args) {
  const OpInfo &info = op_info(opc);
  Op &op = ops.emplace_back();
  op.opc = opc;
  op.type = type;
  op.nout = info.nout;
  op.nin = info.nin;
  op.ncst = info.ncst;
  std::copy(args.begin(), args.end(), op.args.begin());
  return op;
}

Op &Ir::emit_call(uint32_t helper, TempId result, std::initializer_list<TempId> args) {
  const HelperInfo &h = *helpers_[helper];
  Op &op = ops.emplace_back();
  op.opc = Opcode::call;
  op.type = Type::i64;
  op.nout = h.has_result ? 1 : 0;
  op.nin = h.nargs;
  op.ncst = 1;
  unsigned i = 0;
  if (h.has_result) op.args[i++] = result;
  for (TempId a : args) op.args[i++] = a;
  op.args[i] = helper;
  return op;
}

void Ir::compact() {
  std::erase_if(ops, [](const Op &op) { return op.opc == Opcode::nop; });
}

namespace {

// The type of input i of op (most ops: Op::type).
Type input_type(const Op &op, unsigned i) {
  switch (op.opc) {
    case Opcode::ext_i32_i64:
    case Opcode::extu_i32_i64:
      return Type::i32;
    case Opcode::extrl_i64_i32:
    case Opcode::extrh_i64_i32:
    case Opcode::goto_ptr:
    case Opcode::call:
      return Type::i64;
    case Opcode::ld:
    case Opcode::qemu_ld:
      return Type::i64;
    case Opcode::st:
    case Opcode::qemu_st:
      return i == 1 ? Type::i64 : op.type;
    default:
      return op.type;
  }
}

}  // namespace

std::string verify(const Ir &ir) {
  std::vector<int> label_set(ir.num_labels(), 0);
  for (size_t n = 0; n < ir.ops.size(); n++) {
    const Op &op = ir.ops[n];
    const OpInfo &info = op_info(op.opc);
    auto bad = [&](std::string_view what) {
      return fmt::format("op {} ({}): {}", n, info.name.s, what);
    };
    if (op.opc != Opcode::call &&
        (op.nout != info.nout || op.nin != info.nin || op.ncst != info.ncst)) {
      return bad("operand counts differ from the table");
    }
    if (op.nargs() > kMaxArgs) return bad("too many operands");
    for (unsigned i = 0; i < op.nout + op.nin; i++) {
      if (op.args[i] >= ir.num_temps()) return bad("no such temp");
    }
    if (op.nout == 2 && op.out(0) == op.out(1)) return bad("both outputs are one temp");
    for (unsigned i = 0; i < op.nout; i++) {
      TempKind k = ir.temp(op.out(i)).kind;
      if (k == TempKind::konst || k == TempKind::env) return bad("writes a constant or env");
      if (op.opc != Opcode::call && ir.temp(op.out(i)).type != op.type) {
        return bad("output type");
      }
    }
    for (unsigned i = 0; i < op.nin; i++) {
      if (ir.temp(op.in(i)).type != input_type(op, i)) return bad("input type");
    }
    if (op.type == Type::i32 &&
        (op.opc == Opcode::bswap64 || op.opc == Opcode::ext32s || op.opc == Opcode::ext32u)) {
      return bad("i64 only");
    }
    if (op.opc == Opcode::deposit || op.opc == Opcode::extract || op.opc == Opcode::sextract) {
      uint64_t pos = op.cst(0), len = op.cst(1);
      if (len == 0 || pos >= type_bits(op.type) || len > type_bits(op.type) - pos) {
        return bad("bit field out of range");
      }
    }
    if (op.opc == Opcode::setcond || op.opc == Opcode::movcond || op.opc == Opcode::brcond) {
      if (op.cst(0) >= kNumConds) return bad("no such condition");
    }
    uint64_t label = ~0ull;
    if (op.opc == Opcode::set_label) {
      label = op.cst(0);
      if (label < ir.num_labels() && label_set[label]++) return bad("label set twice");
    }
    if (op.opc == Opcode::br) label = op.cst(0);
    if (op.opc == Opcode::brcond) label = op.cst(1);
    if (label != ~0ull && label >= ir.num_labels()) return bad("no such label");
  }
  for (size_t n = 0; n < ir.ops.size(); n++) {
    const Op &op = ir.ops[n];
    uint64_t label = op.opc == Opcode::br       ? op.cst(0)
                     : op.opc == Opcode::brcond ? op.cst(1)
                                                : ~0ull;
    if (label != ~0ull && !label_set[label]) return fmt::format("op {}: label never set", n);
  }
  return {};
}

}  // namespace qemu::jit
