// The engine's -d output: in_asm (guest code through capstone), op/op_opt (IR), exec (one
// "Trace" line per block entered from the loop), cpu (the guest registers before it).
#pragma once

#include <cstdio>

#include "jit/exec/engine.h"
#include "jit/exec/tb.h"
#include "jit/ir/ir.h"

namespace qemu::jit {

// "IN:" and the guest instructions of src (read at guest_base, or through opts.mem).
void log_in_asm(FILE *out, const Frontend &fe, const EngineOptions &opts, const TbKey &key,
                const TbSource &src);
// title ("OP:", ...) and the IR, with liveness when life.
void log_ir(FILE *out, const char *title, const Ir &ir, bool life);
// "Trace <cpu>: <host code> [<cs_base>/<pc>/<flags>/<cflags>] " as QEMU's -d exec.
void log_trace(FILE *out, unsigned cpu, const Tb &tb);
// "Linking TBs <from> index <slot> -> <to> [<pc>]".
void log_link(FILE *out, const Tb &from, unsigned slot, const Tb &to);

}  // namespace qemu::jit
