// What the engine needs from a host backend: compiling a block, running it, chaining and
// unchaining its jump slots, the guest instruction at a host pc, and dropping all code.
// Internal to src/jit/exec. Every call but exec is made under the engine's lock.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>

#include "jit/exec/engine.h"
#include "jit/exec/tb.h"
#include "jit/ir/ir.h"

namespace qemu::jit {

// How a block (or a chain of blocks) left.
struct ExecResult {
  enum Kind : uint8_t {
    next,       // look the next block up
    chain,      // tb left through goto_tb slot `slot` unchained: it may be chained now
    ptr,        // goto_ptr to value (the interpreter: the Tb the lookup helper found, or 0)
    target,     // value >= kExitTargetBase for run() to return
    requested,  // tb's entry saw an exit request (kExitRequested)
    fault,      // the interpreter's GuestMemory refused address value at (insn_pc, insn_extra)
  };
  Kind kind = next;
  unsigned slot = 0;
  Tb *tb = nullptr;
  uint64_t value = 0;
  uint64_t insn_pc = 0, insn_extra = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // A new, empty block of the backend's type.
  virtual std::unique_ptr<Tb> create() = 0;
  // Compiles ir (optimized, with liveness) for tb, setting tb.code and tb.code_size; the
  // backend may take ir's contents. False when there is no room: the engine flushes every
  // block and compiles again.
  virtual bool compile(Tb &tb, Ir &ir) = 0;
  // -d out_asm.
  virtual void log_out_asm(const Tb &tb, FILE *out) = 0;

  // Runs tb (and whatever it is chained to) on env. Without the lock.
  virtual ExecResult exec(void *env, Tb &tb) = 0;

  // Whether tb has a goto_tb slot `slot` that chain may patch.
  virtual bool can_chain(const Tb &tb, unsigned slot) const = 0;
  // Makes slot `slot` of from go straight to `to`, or back to the loop.
  virtual void chain(Tb &from, unsigned slot, Tb &to) = 0;
  virtual void unchain(Tb &from, unsigned slot) = 0;

  // The guest instruction at host_pc when the calling thread faulted inside a block.
  virtual bool find_insn(uintptr_t host_pc, uint64_t *insn_pc, uint64_t *insn_extra) = 0;
  // The block whose code holds host_pc (x86-64; null for the interpreter, whose running block
  // the engine tracks).
  virtual Tb *block_at(uintptr_t host_pc) = 0;
  // Inside a helper called by a block: the call's exact return address into generated code
  // (0 when the backend has no host code; the interpreter's faults are found by find_insn).
  virtual uintptr_t helper_return_address() const { return 0; }

  // What the lookup helper returns for a block found, and when nothing is found.
  virtual uint64_t lookup_hit(const Tb &tb) const = 0;
  virtual uint64_t lookup_miss() const = 0;
  // The front end's key is the pc at pc_offset in the CPU state with constant flags (and
  // chaining is on): blocks compiled from now on may probe the thread's jump cache inline.
  virtual void set_inline_lookup(ptrdiff_t pc_offset) { (void)pc_offset; }
  // Frontend::inline_scalar_double's helper may be compiled inline from now on.
  virtual void set_inline_scalar_double(HelperInfo::GenericFn fn, size_t mxcsr_offset) {
    (void)fn;
    (void)mxcsr_offset;
  }

  // Every block has been destroyed: reclaims their code.
  virtual void flush() = 0;
};

std::unique_ptr<Backend> make_interp_backend(const EngineOptions &opts);
// Null when the x86-64 backend is not built in.
std::unique_ptr<Backend> make_x64_backend(const EngineOptions &opts);

}  // namespace qemu::jit
