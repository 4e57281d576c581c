// Demanded bits: which bits of each block-local temp are ever read. An extension or mask whose
// result is read only in bits it leaves unchanged becomes a copy, and an i64 operation whose
// result is read only in its low 32 bits is marked Op::low32 (a backend may compute it with
// 32-bit instructions). The x86 front end's 32-bit operations zero-extend their inputs and
// outputs; most of those extensions go.
#include <bit>
#include <optional>
#include <vector>

#include "jit/opt/passes.h"

namespace qemu::jit {

namespace {

// The bits at or below the highest demanded one: what the low bits of a sum or product need.
uint64_t up_to_msb(uint64_t d) {
  return d ? ~uint64_t{0} >> std::countl_zero(d) : 0;
}

class Demand {
 public:
  explicit Demand(Ir &ir) : ir_(ir), d_(ir.num_temps(), 0) {}

  void run() {
    for (size_t n = ir_.ops.size(); n-- > 0;) visit(ir_.ops[n]);
  }

 private:
  // What later ops read of t: everything for temps that outlive their basic block.
  uint64_t of(TempId t) const {
    const TempInfo &ti = ir_.temp(t);
    return ti.kind == TempKind::bb ? d_[t] : type_mask(ti.type);
  }
  void need(TempId t, uint64_t bits) {
    if (ir_.temp(t).kind == TempKind::bb) d_[t] |= bits & type_mask(ir_.temp(t).type);
  }
  void need_all(const Op &op) {
    for (unsigned i = 0; i < op.nin; i++) need(op.in(i), ~uint64_t{0});
  }
  std::optional<uint64_t> cst_in(const Op &op, unsigned i) const {
    const TempInfo &ti = ir_.temp(op.in(i));
    if (ti.kind == TempKind::konst) return ti.value;
    return std::nullopt;
  }

  // An extension keeping `keep` (the sign, for a signed one, copied above it) whose result is
  // read in d: a copy when d needs nothing beyond keep.
  void extension(Op &op, uint64_t keep, uint64_t d) {
    need(op.in(0), (d & ~keep) ? keep : d);
    if (!(d & ~keep)) {
      op.opc = Opcode::mov;
      op.ncst = 0;
    }
  }

  void visit(Op &op) {
    const uint64_t d = op.nout == 1 ? of(op.out(0)) : ~uint64_t{0};
    // A block-local temp is not read before its definition (an earlier one starts afresh).
    for (unsigned i = 0; i < op.nout; i++) {
      if (ir_.temp(op.out(i)).kind == TempKind::bb) d_[op.out(i)] = 0;
    }
    const bool i64 = op.type == Type::i64;
    switch (op.opc) {
      case Opcode::mov:
      case Opcode::or_:
      case Opcode::xor_:
      case Opcode::andc:
      case Opcode::not_:
        for (unsigned i = 0; i < op.nin; i++) need(op.in(i), d);
        break;
      case Opcode::and_: {
        const std::optional<uint64_t> c = cst_in(op, 1);
        need(op.in(0), c ? d & *c : d);
        need(op.in(1), d);
        break;
      }
      case Opcode::add:
      case Opcode::sub:
      case Opcode::mul:
      case Opcode::neg:
        for (unsigned i = 0; i < op.nin; i++) need(op.in(i), up_to_msb(d));
        break;
      case Opcode::shl: {
        const std::optional<uint64_t> c = cst_in(op, 1);
        need(op.in(0), c ? up_to_msb(d) : ~uint64_t{0});
        need(op.in(1), ~uint64_t{0});
        break;
      }
      case Opcode::ext8u:
      case Opcode::ext8s:
        return extension(op, 0xff, d);
      case Opcode::ext16u:
      case Opcode::ext16s:
        return extension(op, 0xffff, d);
      case Opcode::ext32u:
      case Opcode::ext32s:
        return extension(op, 0xffffffff, d);
      case Opcode::extrl_i64_i32:
        need(op.in(0), 0xffffffff);
        break;
      case Opcode::st:
      case Opcode::qemu_st:
        need(op.in(0), ~uint64_t{0} >> (64 - 8 * memop_size(static_cast<uint32_t>(op.cst(0)))));
        need(op.in(1), ~uint64_t{0});
        break;
      default:
        need_all(op);
        break;
    }
    if (i64 && op.nout == 1 && ir_.temp(op.out(0)).kind == TempKind::bb && !(d >> 32)) {
      switch (op.opc) {
        case Opcode::add:
        case Opcode::sub:
        case Opcode::mul:
        case Opcode::and_:
        case Opcode::or_:
        case Opcode::xor_:
        case Opcode::andc:
        case Opcode::not_:
        case Opcode::neg:
          op.low32 = true;
          break;
        case Opcode::shl:
          op.low32 = cst_in(op, 1) && (*cst_in(op, 1) & 63) < 32;
          break;
        default:
          break;
      }
    }
  }

  Ir &ir_;
  std::vector<uint64_t> d_;
};

}  // namespace

void narrow_by_demand(Ir &ir) {
  Demand(ir).run();
}

}  // namespace qemu::jit
