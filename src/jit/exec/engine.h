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
  void (*protect_code_page)(uint64_t page) = nullptr;
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
  [[noreturn]] void exit_to_loop(void *env, uint64_t value);

  // A host fault at host_pc: when it is inside generated code, restores env to the start of the
  // guest instruction (Frontend::restore) and returns true.
  bool restore_host_pc(void *env, uintptr_t host_pc);

  // The guest bytes in [start, end) changed or were unmapped: drops the blocks decoded from
  // them (and unchains jumps into them). Safe from a signal handler of a thread in run().
  void invalidate(uint64_t start, uint64_t end);

  // Drops every block (after exec, or for tests).
  void flush();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace qemu::jit
