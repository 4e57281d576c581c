// The fast path of indirect jumps. After writing the new pc to the CPU state a front end emits
//   call kHelperLookupTbPtr -> t (argument: env);  goto_ptr t
// The helper looks the CPU's next block up (its key from Frontend::key; the thread's jump
// cache, then the block table) without translating: goto_ptr continues there directly, or,
// when there is no such block yet (or -d nochain, or a flush is pending), returns to the loop,
// which translates it (kExitNext). With the interpreter the loop makes that jump.
#pragma once

#include <cstdint>

#include "jit/ir/ir.h"

namespace qemu::jit {

// uint64_t (uint64_t env): the host code to jump to (x86-64), or the block (interpreter).
extern const HelperInfo kHelperLookupTbPtr;

uint64_t helper_lookup_tb_ptr(uint64_t env);

}  // namespace qemu::jit
