// The state of the emulated process (one per host process) and of each guest thread.
#pragma once

#include <atomic>
#include <csignal>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "target/x86/cpu.h"
#include "user/elf_loader.h"
#include "user/guest_memory.h"
#include "user/options.h"
#include "user/stack.h"

namespace qemu::jit {
class Engine;
}

namespace qemu::user {

// Our own exit value for a host fault turned into a guest signal (fault_addr, error_code set).
inline constexpr uint64_t kExitHostFault = 40;
// run() came back for an exit request (a queued signal).
inline constexpr uint64_t kExitRequested = 41;

// Where ThreadState::exit_request is, relative to ThreadState::cpu.
int64_t exit_request_offset();

inline constexpr int kGuestNsig = 64;

// A guest signal waiting for delivery.
struct PendingSignal {
  int sig;
  siginfo_t info;
};

struct GuestSigaction {
  uint64_t handler = 0;  // SIG_DFL (0), SIG_IGN (1) or the guest address
  uint64_t flags = 0;
  uint64_t restorer = 0;
  uint64_t mask = 0;
};

struct ThreadState {
  x86::CpuX86 cpu{};  // first: the engine's env is &cpu
  // The engine's exit request flag (EngineOptions::exit_request_offset, relative to &cpu):
  // set by Engine::request_exit when a signal is queued, cleared by the loop.
  uint32_t exit_request = 0;
  int tid = 0;
  uint64_t clear_child_tid = 0;  // set_tid_address / CLONE_CHILD_CLEARTID
  uint64_t robust_list = 0;
  bool vfork_child = false;  // runs in the parent's memory until it execs or exits
  // Signals.
  uint64_t sigmask = 0;  // the guest's blocked set (bit sig-1)
  std::atomic<bool> signal_pending{false};

  std::mutex sig_mu;  // queue (never taken in a signal handler: see signal.cc)
  std::vector<PendingSignal> queue;
  // Filled by host signal handlers, drained by the loop.
  static constexpr int kRing = 64;
  std::atomic<uint32_t> ring_head{0}, ring_tail{0};
  PendingSignal ring[kRing];
  uint64_t altstack_sp = 0, altstack_size = 0;
  int altstack_flags = 2;  // SS_DISABLE
  // rt_sigsuspend: the mask to restore after the handler runs.
  bool have_saved_mask = false;
  uint64_t saved_mask = 0;
};

struct Process {
  UserOptions opts;
  GuestMemoryMap mem;
  jit::Engine *engine = nullptr;
  std::string exe_path;  // absolute path of the guest program (/proc/self/exe)
  LoadedProgram prog;
  StackInfo stack;
  std::mutex mm_mu;  // brk and mmap bookkeeping
  uint64_t brk_start = 0, brk_cur = 0, brk_mapped_end = 0;
  GuestSigaction sigact[kGuestNsig + 1];
  std::mutex sigact_mu;
  std::vector<std::string> exec_prefix_args;  // our options to repeat on execve
  std::string self_exe;                       // our own binary
  std::vector<std::string> guest_argv;
  // Pages where an instruction fetch faulted: the engine keeps a block that raises the fault,
  // so making them executable later must drop it (see note_fetch_fault).
  std::mutex fetch_fault_mu;
  std::vector<uint64_t> fetch_fault_pages;
};

extern Process *g_proc;

// A fetch fault at [addr, addr + 16) (the cached block that raises it must go when the page
// becomes executable), and the check made when [start, start + len) becomes executable.
void note_fetch_fault(uint64_t addr);
void drop_fetch_fault_blocks(uint64_t start, uint64_t len);
ThreadState *current_thread();
void set_current_thread(ThreadState *ts);

inline ThreadState *thread_of(x86::CpuX86 *cpu) {
  return static_cast<ThreadState *>(cpu->opaque);
}

}  // namespace qemu::user
