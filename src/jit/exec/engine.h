// The execution engine: the translation-block cache, chaining, invalidation, logging and the
// loop that runs a guest CPU. One Engine per process, shared by all guest CPUs (threads).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>

#include "jit/exec/exits.h"
#include "jit/exec/frontend.h"

namespace qemu::jit {

class GuestMemory;

enum class BackendKind : uint8_t { x86_64, interp };

// -d items the engine logs (user mode adds its own: strace, unimp, ...).
enum LogFlag : uint32_t {
  kLogInAsm = 1u << 0,
  kLogOp = 1u << 1,
  kLogOpOpt = 1u << 2,
  kLogOutAsm = 1u << 3,
  kLogExec = 1u << 4,
  kLogCpu = 1u << 5,
  kLogInt = 1u << 6,
  kLogNoChain = 1u << 7,
  kLogFpu = 1u << 8,  // with kLogCpu: the floating point and vector registers too
};

struct EngineOptions {
  BackendKind backend = BackendKind::x86_64;
  // Guest memory: host address = guest_base + guest address (user mode). The interpreter goes
  // through mem instead when it is set.
  uintptr_t guest_base = 0;
  GuestMemory *mem = nullptr;
  unsigned max_insns = 512;  // 1 for -singlestep
  uint32_t log = 0;          // LogFlag bits
  FILE *log_file = nullptr;  // stderr when null
  // Called once for each guest page (4 KiB) that gets translated code, so the owner can catch
  // writes to it (user mode: mprotect read-only; the SIGSEGV handler then calls invalidate).
  // page is the page's guest address. Called again for a page whose blocks were all
  // invalidated when it gets a block again: unprotect a page only together with
  // invalidate() of the whole page.
  void (*protect_code_page)(uint64_t page) = nullptr;
  // Room for translated blocks (x86_64: the code buffer; interp: an estimate of the IR kept per
  // block). When it is full, every block is dropped and translation starts over. 0: 256 MiB.
  // (x86_64 keeps 64 KiB free for the next block: give it well more than that.)
  size_t code_size = 0;
  // The interpreter's GuestMemory (mem) refused an access at guest address addr: env is
  // already restored to the start of the faulting instruction; returns what run() returns.
  // Null: abort. (A GuestMemory may also raise the exception itself with exit_to_loop.)
  uint64_t (*mem_fault)(void *env, uint64_t addr) = nullptr;
  // Asynchronous exits (a signal to deliver, an interrupt, another thread's request): when
  // >= 0, the offset in the CPU state of a 32-bit flag that every block tests on entry. While
  // it is non-zero, run() returns exit_request_value at the next block boundary, with the
  // guest state exact (the owner clears the flag). Engine::request_exit sets it.
  int64_t exit_request_offset = -1;
  uint64_t exit_request_value = kExitTargetBase;
};

// Counters since the engine was made (for tests and statistics).
struct EngineStats {
  uint64_t translations = 0;  // blocks translated
  uint64_t flushes = 0;       // full flushes (explicit, or a full code buffer)
  uint64_t invalidated = 0;   // blocks dropped by invalidate()
  uint64_t chained = 0;       // jump slots chained
};

class Engine {
 public:
  Engine(Frontend &fe, const EngineOptions &opts);
  ~Engine();

  // Runs the CPU at env until a block exits with a target value (>= kExitTargetBase) or
  // exit_to_loop is called; returns that value. Each thread runs its own env.
  uint64_t run(void *env);

  // From a helper or a signal handler running on the thread inside run(): leaves generated code
  // and makes run() return value. The guest state must be exact already (see restore_host_pc).
  // (siglongjmp to run(), which restores the signal mask of its entry.) With a value below
  // kExitTargetBase (kExitNext) run() does not return but goes on at the CPU's pc: for leaving a
  // block whose code was invalidated under it, or after a helper changed the pc.
  [[noreturn]] void exit_to_loop(void *env, uint64_t value);

  // A host fault at host_pc: when it is inside generated code, restores env to the start of the
  // guest instruction (Frontend::restore) and returns true. host_pc is the faulting
  // instruction's address (a signal's ucontext RIP). With the interpreter, any host_pc of a
  // thread inside a block counts (the instruction is the last insn_start the interpreter ran).
  // False outside run(), outside blocks, and on a thread interrupted in the engine's lock.
  bool restore_host_pc(void *env, uintptr_t host_pc);
  // The same from a helper called by a block: retaddr is the helper's return address
  // (__builtin_return_address(0)), which is past the call.
  bool restore_helper_retaddr(void *env, uintptr_t retaddr) {
    return restore_host_pc(env, retaddr - 1);
  }
  // A host fault inside a helper that a block called (a signal handler whose pc is not in
  // generated code): restores env to the calling guest instruction, found from the backend's
  // exact return address of the call (no stack scanning). False as restore_host_pc.
  bool restore_from_helper(void *env);
  // From a helper called by a block, on the thread running it: restores env to the calling
  // guest instruction (as restore_from_helper; with the interpreter, its current instruction)
  // and leaves as exit_to_loop(env, value). For a guest exception the helper raises (the
  // helper's flags must keep the globals in memory at the call: kHelperReadsGlobals). Aborts
  // when the caller is not a block.
  [[noreturn]] static void raise_from_helper(void *env, uint64_t value);

  // Precise self-modifying code, from a write-fault handler on a thread in run() (after
  // invalidate): whether the block running at host_pc (as for restore_host_pc) was decoded
  // from guest bytes in [start, end) (and is not the one-off block exit_to_loop_single runs),
  // i.e. the write may change code the block would still run. The handler then calls
  // restore_host_pc and exit_to_loop_single: the loop runs the writing instruction alone in a
  // block that is not cached (so its page is not protected again before the write is done)
  // and goes on from there with fresh translations.
  bool running_block_overlaps(uintptr_t host_pc, uint64_t start, uint64_t end);
  [[noreturn]] void exit_to_loop_single(void *env);

  // The guest bytes in [start, end) changed or were unmapped: drops the blocks decoded from
  // them (and unchains jumps into them). Safe from a signal handler of a thread in run() for a
  // fault raised by guest code (not from an asynchronous signal: it takes the engine's lock).
  // A block still running in another thread finishes (its code is kept until a flush).
  void invalidate(uint64_t start, uint64_t end);

  // Sets the exit request flag of the CPU at env (see EngineOptions::exit_request_offset):
  // from any thread or a signal handler.
  void request_exit(void *env);

  // Drops every block (after exec, or for tests). Waits until the other threads in run() are
  // between blocks. Called on a thread inside run() (from a helper), the flush happens when
  // that thread is back in its loop.
  void flush();

  // Around fork() while other threads may be running guest code (user mode): fork_prepare takes
  // the engine's locks (call it last before fork, outside run()); the parent then calls
  // fork_parent, the child fork_child, which also forgets the threads that did not follow.
  void fork_prepare();
  void fork_parent();
  void fork_child();

  EngineStats stats() const;
  const EngineOptions &options() const;
  // The backend in use (the interpreter when x86_64 is asked for but not built in).
  BackendKind backend() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace qemu::jit
