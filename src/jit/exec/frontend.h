// What a guest target gives the engine: translation of one block into IR, and the way back from
// a fault inside a block to the exact guest state. The engine never includes a target.
#pragma once

#include <cstdint>
#include <cstdio>

#include "jit/ir/builder.h"

namespace qemu::jit {

// A block is cached by the guest pc and the CPU flags that change its translation
// (code size, mode bits, ...).
struct TbKey {
  uint64_t pc = 0;
  uint64_t flags = 0;
  bool operator==(const TbKey &) const = default;
};

// The guest bytes a block was decoded from (for invalidation when they change): at most two
// ranges, as a block may cross one page boundary.
struct TbSource {
  uint64_t start[2] = {0, 0};
  uint32_t len[2] = {0, 0};
  uint32_t num_insns = 0;
};

class Frontend {
 public:
  virtual ~Frontend() = default;

  // The key of the block the CPU at env runs next.
  virtual TbKey key(const void *env) const = 0;

  // Optional, for the indirect-jump fast path: true when key(env) is always {the uint64_t at
  // env + *pc_offset, *flags}, so the engine reads it without a virtual call.
  virtual bool simple_key(size_t *pc_offset, uint64_t *flags) const {
    (void)pc_offset;
    (void)flags;
    return false;
  }

  // A helper the x86-64 backend may compile inline (x86 guests on x86 hosts): *fn(env, kind,
  // doff, soff) with constant kind (0 add, 1 sub, 2 mul, 3 div), doff and soff computes the
  // scalar double operation on the low 8 bytes of the CPU state at doff and soff into doff,
  // under the MXCSR image at *mxcsr_offset (its control bits on the host, the exception flags
  // raised merged into it), as the host's addsd/subsd/mulsd/divsd do. Inline only while the
  // image masks every exception (the host's are masked): else the call, which may raise.
  virtual bool inline_scalar_double(HelperInfo::GenericFn *fn, size_t *mxcsr_offset) const {
    (void)fn;
    (void)mxcsr_offset;
    return false;
  }

  // Emits the block at key into b, at most max_insns guest instructions (1 for -singlestep).
  // Each guest instruction starts with insn_start(pc, extra). The block ends with exits as in
  // exits.h: goto_tb(n) then exit_tb(kExitChain0 + n) for direct jumps, exit_tb(kExitNext)
  // or goto_ptr(lookup) for indirect ones, target values for exceptions. Reading guest code
  // that faults: a block of what could be read, ending in the target's exception exit.
  virtual void translate(const TbKey &key, Builder &b, TbSource &src, unsigned max_insns) = 0;

  // After a fault inside a block: puts the guest state back to the start of the instruction
  // whose insn_start carried (pc, extra). Globals are already in memory (the IR's rules).
  virtual void restore(void *env, uint64_t insn_pc, uint64_t extra) = 0;

  // For -d in_asm: capstone's arch and mode for guest code with these flags.
  virtual void capstone_mode(uint64_t flags, int *arch, int *mode) const = 0;
  // For -d cpu and -d int: the guest registers in QEMU's format; fpu (-d fpu) adds the
  // floating point and vector registers.
  virtual void dump_state(const void *env, FILE *out, bool fpu) const = 0;
};

}  // namespace qemu::jit
