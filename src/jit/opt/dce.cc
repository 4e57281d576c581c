#include "jit/opt/liveness.h"
#include "jit/opt/passes.h"

namespace qemu::jit {

void eliminate_dead_code(Ir &ir) {
  // Ops after an unconditional exit and before the next label never run.
  bool unreachable = false;
  for (Op &op : ir.ops) {
    if (op.opc == Opcode::set_label) unreachable = false;
    if (unreachable) op = Op{};
    if (op_has(op.opc, kNoReturn)) unreachable = true;
  }
  backward_liveness(ir, true, false);
}

}  // namespace qemu::jit
