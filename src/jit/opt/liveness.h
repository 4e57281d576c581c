// The backward dataflow shared by dead code elimination and liveness.
#pragma once

#include "jit/ir/ir.h"

namespace qemu::jit {

// Walks ir backwards tracking which temps are read later (in a register) and which globals
// must be in memory later. With remove_dead, pure ops whose outputs are unused become nop;
// with annotate, Op::life is set.
void backward_liveness(Ir &ir, bool remove_dead, bool annotate);

}  // namespace qemu::jit
