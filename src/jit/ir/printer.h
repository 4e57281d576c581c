// Text form of the IR (for -d op and -d op_opt).
#pragma once

#include <string>

#include "jit/ir/ir.h"

namespace qemu::jit {

std::string temp_name(const Ir &ir, TempId t);
std::string print_op(const Ir &ir, const Op &op, bool with_life = false);
// One op per line; an insn_start prints as a " ---- pc extra" separator.
std::string print(const Ir &ir, bool with_life = false);

}  // namespace qemu::jit
