// What a translation block returns to the execution loop through exit_tb.
#pragma once

#include <cstdint>

namespace qemu::jit {

enum : uint64_t {
  kExitNext = 0,    // the guest pc is in the CPU state: look the next block up
  kExitChain0 = 1,  // left after goto_tb slot 0: the loop may patch the slot to the next block
  kExitChain1 = 2,  // the same for slot 1
  // The block's entry saw an exit request. The guest is at the block's first instruction, but
  // the pc in the CPU state may be stale (a chained jump skips the pc store), so the loop
  // puts it back from the block (Frontend::restore with its first insn_start).
  kExitRequested = 3,
  // Values from here on are the target's (an exception, a system call, ...): the loop stops
  // and Engine::run returns them. They are below 2^63 (the engine tags chain exits with the
  // top bit).
  kExitTargetBase = 16,
};

}  // namespace qemu::jit
