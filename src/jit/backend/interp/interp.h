// A portable interpreter of the IR: the reference the x86-64 backend is tested against, and the
// fallback for hosts without a backend.
#pragma once

#include <cstdint>
#include <vector>

#include "jit/ir/ir.h"

namespace qemu::jit {

// Guest memory as the interpreter sees it (little-endian values of 1, 2, 4 or 8 bytes).
// A false return is a fault at that address.
class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  virtual bool load(uint64_t addr, unsigned size, uint64_t *value) = 0;
  virtual bool store(uint64_t addr, unsigned size, uint64_t value) = 0;
};

enum class ExitKind : uint8_t {
  exit_tb,   // value: exit_tb's constant
  goto_ptr,  // value: the pointer of goto_ptr
  fault,     // value: the faulting guest address
  fell_off,  // the op list ended without an exit (a bug in the IR)
};

struct ExitResult {
  ExitKind kind;
  uint64_t value = 0;
  // The last insn_start executed (for a fault: the faulting guest instruction).
  uint64_t insn_pc = 0, insn_extra = 0;
  bool operator==(const ExitResult &) const = default;
};

class Interpreter {
 public:
  // Prepares ir for running (label table, temp kinds); ir must outlive this and not change.
  explicit Interpreter(const Ir &ir);

  // Runs the block against the CPU state at env (globals live there) and guest memory.
  // Allocation-free after the first runs on a thread (per-thread scratch).
  ExitResult run(void *env, GuestMemory &mem);

  // The innermost run() in progress on this thread: its result so far, whose insn_pc and
  // insn_extra are the last insn_start executed (for restoring the guest state after a host
  // fault inside the block). Null outside run().
  static const ExitResult *current();
  // After leaving run() by longjmp (from a helper or a signal handler): forgets the abandoned
  // runs of this thread, so that their scratch is reused.
  static void unwind();

  // Implementation state, visible to the per-op functions.
  struct State;

 private:
  const Ir &ir_;
  std::vector<size_t> label_pos_;
  std::vector<uint64_t> init_;  // constants' values
  // Per temp: the offset in the CPU state of a global (else -1), and whether it is an i32.
  struct Slot {
    int64_t offset;
    bool global, i32;
  };
  std::vector<Slot> slots_;
};

}  // namespace qemu::jit
