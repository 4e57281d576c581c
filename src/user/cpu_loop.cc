#include "user/cpu_loop.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/log.h"
#include "jit/exec/engine.h"
#include "user/gdb.h"
#include "user/signal.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

thread_local ThreadState *t_current = nullptr;

}  // namespace

Process *g_proc = nullptr;

ThreadState *current_thread() {
  return t_current;
}

void set_current_thread(ThreadState *ts) {
  t_current = ts;
}

void note_fetch_fault(uint64_t addr) {
  std::lock_guard<std::mutex> lock(g_proc->fetch_fault_mu);
  auto &v = g_proc->fetch_fault_pages;
  for (uint64_t p : {page_down(addr), page_down(addr + 15)})
    if (std::find(v.begin(), v.end(), p) == v.end()) v.push_back(p);
}

void drop_fetch_fault_blocks(uint64_t start, uint64_t len) {
  bool hit = false;
  {
    std::lock_guard<std::mutex> lock(g_proc->fetch_fault_mu);
    auto &v = g_proc->fetch_fault_pages;
    uint64_t end = start + len;
    hit = std::any_of(v.begin(), v.end(),
                      [&](uint64_t p) { return p < end && start < p + kPageSize; });
    if (hit) v.clear();
  }
  // Those blocks read no guest bytes, so no range finds them: everything goes.
  if (hit && g_proc->engine) g_proc->engine->flush();
}

namespace {

// A breakpoint or the debugger's single step: gdb decides what is delivered (usually nothing).
void gdb_stopped(ThreadState *ts) {
  if (!gdb_attached()) return;  // gone meanwhile: the blocks were dropped, run on
  const int sig = gdb_stop(ts, SIGTRAP);
  if (sig == 0) return;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_signo = sig;
  info.si_code = sig == SIGTRAP ? int{TRAP_BRKPT} : int{SI_USER};
  queue_signal(ts, sig, info);
}

}  // namespace

int64_t exit_request_offset() {
  static ThreadState probe;
  return reinterpret_cast<char *>(&probe.exit_request) - reinterpret_cast<char *>(&probe.cpu);
}

void cpu_loop(ThreadState *ts) {
  x86::CpuX86 &cpu = ts->cpu;
  // Host signals were blocked while the thread started: now the guest's mask.
  sync_host_mask(ts);
  for (;;) {
    uint64_t e = g_proc->engine->run(&cpu);
    int64_t interrupted = -1;
    switch (e) {
      case kExitRequested:
        __atomic_store_n(&ts->exit_request, 0, __ATOMIC_SEQ_CST);
        break;
      case x86::kExitSyscall: {
        uint64_t nr = cpu.regs[x86::RAX];
        const uint64_t a[6] = {cpu.regs[x86::RDI], cpu.regs[x86::RSI], cpu.regs[x86::RDX],
                               cpu.regs[x86::R10], cpu.regs[x86::R8],  cpu.regs[x86::R9]};
        int64_t r = do_syscall(ts, nr, a);
        if (r == kNoResult) break;
        // The syscall instruction's clobbers.
        cpu.regs[x86::RCX] = cpu.rip;
        cpu.regs[x86::R11] = x86::get_eflags(cpu);
        if (r == kErestartSys) {
          interrupted = static_cast<int64_t>(nr);
          cpu.regs[x86::RAX] = static_cast<uint64_t>(-int64_t(EINTR));
        } else {
          cpu.regs[x86::RAX] = static_cast<uint64_t>(r);
        }
        break;
      }
      case x86::kExitException:
        if (cpu.exception_index == x86::kExcpPF && cpu.fault_addr - cpu.rip < 16)
          note_fetch_fault(cpu.fault_addr);
        [[fallthrough]];
      case kExitHostFault:
        if (log_enabled(kLogInt))
          qemu_log("exception {} (error code {:#x}) at rip {:#x}\n", cpu.exception_index,
                   cpu.error_code, cpu.rip);
        queue_exception_signal(ts);
        break;
      case x86::kExitSingleStep:
        if (cpu.debug_step) {
          gdb_stopped(ts);
        } else {
          // EFLAGS.TF: #DB after the instruction.
          cpu.exception_index = x86::kExcpDB;
          cpu.error_code = 0;
          queue_exception_signal(ts);
        }
        break;
      case x86::kExitBreakpoint:
        gdb_stopped(ts);
        break;
      case x86::kExitInterrupt:
        // int3 / int $3: SIGTRAP after the instruction; any other int N in 64-bit user mode
        // is #GP at the instruction (SIGSEGV), as the kernel gives them.
        if (cpu.exception_index != x86::kExcpBP) {
          cpu.exception_index = x86::kExcpGP;
          cpu.rip -= 2;
        }
        queue_exception_signal(ts);
        break;
      default:
        error_report("unexpected exit {} from the execution engine", e);
        abort();
    }
    if (interrupted >= 0 || ts->signal_pending.load(std::memory_order_relaxed))
      process_pending_signals(ts, interrupted);
  }
}

}  // namespace qemu::user
