#include "jit/opt/passes.h"

namespace qemu::jit {

bool call_reads_globals(const Ir &ir, const Op &op) {
  uint32_t f = ir.helper(op.cst(0)).flags;
  return !(f & (kHelperNoSideEffects | kHelperNoGlobals));
}

bool call_writes_globals(const Ir &ir, const Op &op) {
  uint32_t f = ir.helper(op.cst(0)).flags;
  return !(f & (kHelperNoSideEffects | kHelperNoGlobals | kHelperReadsGlobals));
}

bool call_is_pure(const Ir &ir, const Op &op) {
  return (ir.helper(op.cst(0)).flags & kHelperNoSideEffects) != 0;
}

void optimize(Ir &ir) {
  fold_constants(ir);
  propagate_copies(ir);
  fold_constants(ir);
  eliminate_dead_code(ir);
  narrow_by_demand(ir);
  propagate_copies(ir);
  eliminate_dead_code(ir);
  ir.compact();
  compute_liveness(ir);
}

}  // namespace qemu::jit
