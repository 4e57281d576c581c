// The optimizer: each pass a function of its own file, run in order by optimize().
#pragma once

#include "jit/ir/ir.h"

namespace qemu::jit {

// Constant folding and propagation within basic blocks: ops whose inputs are known constants
// become movi, known inputs become constant temps, algebraic identities (x+0, x*1, x&0, x^x...)
// simplify, and branches on constants become br or disappear.
void fold_constants(Ir &ir);

// Copy propagation within basic blocks: uses of the destination of a mov read its source.
void propagate_copies(Ir &ir);

// Removes ops without side effects whose outputs are never read (and dead global stores).
void eliminate_dead_code(Ir &ir);

// Demanded bits: extensions whose extended bits are never read become copies, and i64
// operations whose results are read only in the low 32 bits get Op::low32.
void narrow_by_demand(Ir &ir);

// Annotates every op with Op::life: the arguments dead after it, and the global outputs that
// must be written back to the CPU state. For the register allocator.
void compute_liveness(Ir &ir);

// All of the above, then compaction and liveness.
void optimize(Ir &ir);

// Whether a call op may read or write globals (from its helper's flags).
bool call_reads_globals(const Ir &ir, const Op &op);
bool call_writes_globals(const Ir &ir, const Op &op);
bool call_is_pure(const Ir &ir, const Op &op);

}  // namespace qemu::jit
