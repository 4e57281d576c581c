// Instructions a CPU model may lack: with user mode's -cpu naming a model without an extension,
// its instructions raise #UD as on such a processor (and as QEMU 7.2 does), except lzcnt and
// tzcnt, which older processors run as bsr and bsf.
#pragma once

#include "target/x86/decode.h"

namespace qemu::x86 {

// The definition to translate in for the current model: in.def, another one (bsr for lzcnt,
// bsf for tzcnt), or null for #UD.
const Def *model_def(const Insn &in);

}  // namespace qemu::x86
