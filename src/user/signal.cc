// Host signal handlers and the per-thread queue of guest signals.
#include "user/signal.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <csetjmp>
#include <cstring>

#include "base/log.h"
#include "jit/exec/engine.h"
#include "user/code_alias.h"
#include "user/gdb.h"
#include "user/guest_addr.h"
#include "user/syscall_table.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

thread_local sigjmp_buf *t_probe_jb = nullptr;

bool is_sync_fault(int sig, const siginfo_t *info) {
  return (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) &&
         info->si_code > 0;
}

// A write to a page whose translated code we protected (addr: the guest address): drop the
// code, give the page back its write permission and retry the write. When the block doing the
// write was decoded from that page, it must not go on with stale code: the writing
// instruction runs alone.
bool handle_code_write(uint64_t addr, uintptr_t host_pc) {
  GuestMemoryMap &mem = g_proc->mem;
  uint64_t page = page_down(addr);
  if (!mem.is_code_page(page) || !mem.wants_write(page)) return false;
  jit::Engine *engine = g_proc->engine;
  if (engine) engine->invalidate(page, page + kPageSize);
  // Through an alias: the code it shows at other addresses goes too.
  uint64_t targets[8];
  const unsigned n = drop_alias_targets(page, targets, 8);
  mem.set_code_page(page, false);
  int prot = mem.prot_at(page);
  if (prot < 0) prot = PROT_READ | PROT_WRITE;
  host_syscall(SYS_mprotect, g2h_addr(page), kPageSize, prot | PROT_WRITE);
  ThreadState *ts = current_thread();
  bool overlaps = engine && engine->running_block_overlaps(host_pc, page, page + kPageSize);
  for (unsigned i = 0; i < n && engine && !overlaps; i++)
    overlaps = engine->running_block_overlaps(host_pc, targets[i], targets[i] + kPageSize);
  if (overlaps && ts && engine->restore_host_pc(&ts->cpu, host_pc))
    engine->exit_to_loop_single(&ts->cpu);
  return true;
}

void ring_push(ThreadState *ts, int sig, const siginfo_t *info) {
  uint32_t head = ts->ring_head.load(std::memory_order_relaxed);
  uint32_t tail = ts->ring_tail.load(std::memory_order_acquire);
  if (head - tail >= ThreadState::kRing) return;  // full: dropped (as a non-RT signal would be)
  ts->ring[head % ThreadState::kRing] = PendingSignal{sig, *info};
  ts->ring_head.store(head + 1, std::memory_order_release);
  ts->signal_pending.store(true);
}

bool default_ignored(int sig) {
  return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}
bool default_stops(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

void host_handler(int sig, siginfo_t *info, void *ucv) {
  auto *uc = static_cast<ucontext_t *>(ucv);
  int saved_errno = errno;
  if (is_sync_fault(sig, info)) {
    // The guest address (a #GP's 0 stays 0).
    uint64_t addr = reinterpret_cast<uint64_t>(info->si_addr);
    if (addr && info->si_code != SI_KERNEL) addr = h2g(addr);
    bool write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
    if (sig == SIGSEGV && write && g_proc &&
        handle_code_write(addr, uc->uc_mcontext.gregs[REG_RIP])) {
      errno = saved_errno;
      return;
    }
    if (t_probe_jb) {
      pthread_sigmask(SIG_SETMASK, &uc->uc_sigmask, nullptr);
      siglongjmp(*t_probe_jb, 1);
    }
    ThreadState *ts = current_thread();
    uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
    if (ts && g_proc && g_proc->engine &&
        (g_proc->engine->restore_host_pc(&ts->cpu, pc) ||
         g_proc->engine->restore_from_helper(&ts->cpu))) {
      x86::CpuX86 &cpu = ts->cpu;
      if (sig == SIGSEGV || sig == SIGBUS) {
        cpu.exception_index = x86::kExcpPF;
        cpu.fault_addr = addr;
        cpu.error_code = (write ? 2 : 0) | 4 | (info->si_code == SEGV_ACCERR ? 1 : 0);
        if (sig == SIGBUS) cpu.error_code |= 0x8000;  // ours: deliver SIGBUS
      } else if (sig == SIGFPE) {
        cpu.exception_index = x86::kExcpDE;
      } else if (sig == SIGILL) {
        cpu.exception_index = x86::kExcpUD;
      } else {
        cpu.exception_index = x86::kExcpBP;
      }
      g_proc->engine->exit_to_loop(&ts->cpu, kExitHostFault);
    }
    // A fault in the emulator itself: die with it.
    signal(sig, SIG_DFL);
    return;
  }
  ThreadState *ts = current_thread();
  // What the guest does with it decides now when nothing of the guest's must run.
  if (g_proc && sig <= kGuestNsig && !(ts && (ts->sigmask & sigbit(sig)))) {
    uint64_t handler = g_proc->sigact[sig].handler;
    if (handler == 1 || (handler == 0 && default_ignored(sig))) {
      errno = saved_errno;
      return;
    }
    // (With a debugger attached it is queued: gdb sees it first.)
    if (handler == 0 && !default_stops(sig) && !gdb_attached()) die_with_signal(sig);
  }
  if (ts) {
    ring_push(ts, sig, info);
    // Out of chained code at the next block boundary, to the loop that delivers it.
    if (g_proc && g_proc->engine) g_proc->engine->request_exit(&ts->cpu);
  }
  errno = saved_errno;
}

}  // namespace

void signal_init() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = host_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigfillset(&sa.sa_mask);
  sigdelset(&sa.sa_mask, SIGSEGV);
  sigdelset(&sa.sa_mask, SIGBUS);
  for (int sig = 1; sig < 65; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    // glibc's internal signals (SIGCANCEL, SIGSETXID) stay glibc's.
    if (sig == 32 || sig == 33) continue;
    sigaction(sig, &sa, nullptr);
  }
}

namespace {

// Standard signals don't queue: one pending instance each (real-time ones all queue).
void enqueue_locked(ThreadState *ts, const PendingSignal &p) {
  if (p.sig < 32) {
    for (const PendingSignal &q : ts->queue)
      if (q.sig == p.sig) return;
  }
  ts->queue.push_back(p);
}

bool host_blockable(int sig) {
  return sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE && sig != SIGTRAP &&
         sig != SIGKILL && sig != SIGSTOP && sig != 32 && sig != 33;
}

// The si_code of an #MF or #XM, as the kernel's fpu__exception_code: the exceptions flagged and
// unmasked (x87: status & ~control; SIMD: MXCSR flags & ~masks), the first of invalid, divide
// by zero, overflow, underflow or denormal, precision.
int fp_exception_code(const x86::CpuX86 &cpu) {
  const unsigned err = cpu.exception_index == x86::kExcpMF ? cpu.fpus & ~cpu.fpuc & 0x3f
                                                           : cpu.mxcsr & ~(cpu.mxcsr >> 7) & 0x3f;
  if (err & 0x01) return FPE_FLTINV;
  if (err & 0x04) return FPE_FLTDIV;
  if (err & 0x08) return FPE_FLTOVF;
  if (err & 0x12) return FPE_FLTUND;
  if (err & 0x20) return FPE_FLTRES;
  return 0;
}

}  // namespace

void sync_host_mask(ThreadState *ts) {
  sigset_t s;
  sigemptyset(&s);
  for (int sig = 1; sig <= kGuestNsig; ++sig)
    if ((ts->sigmask & sigbit(sig)) && host_blockable(sig)) sigaddset(&s, sig);
  pthread_sigmask(SIG_SETMASK, &s, nullptr);
}

void inherit_signal_state(ThreadState *ts) {
  sigset_t cur;
  pthread_sigmask(SIG_BLOCK, nullptr, &cur);
  for (int sig = 1; sig <= kGuestNsig; ++sig) {
    if (sigismember(&cur, sig) == 1) ts->sigmask |= sigbit(sig);
    struct sigaction old;
    if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, nullptr, &old) == 0 &&
        old.sa_handler == SIG_IGN)
      g_proc->sigact[sig].handler = 1;
  }
}

void queue_signal(ThreadState *ts, int sig, const siginfo_t &info) {
  std::lock_guard<std::mutex> lock(ts->sig_mu);
  enqueue_locked(ts, PendingSignal{sig, info});
  ts->signal_pending.store(true);
}

void queue_exception_signal(ThreadState *ts) {
  x86::CpuX86 &cpu = ts->cpu;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int sig;
  switch (cpu.exception_index) {
    case x86::kExcpDE:
      sig = SIGFPE;
      info.si_code = FPE_INTDIV;
      info.si_addr = reinterpret_cast<void *>(cpu.rip);
      break;
    case x86::kExcpMF:
    case x86::kExcpXM:
      sig = SIGFPE;
      info.si_code = fp_exception_code(cpu);
      info.si_addr = reinterpret_cast<void *>(cpu.rip);
      break;
    case x86::kExcpUD:
      sig = SIGILL;
      info.si_code = ILL_ILLOPN;
      info.si_addr = reinterpret_cast<void *>(cpu.rip);
      break;
    case x86::kExcpBP:
      sig = SIGTRAP;
      info.si_code = SI_KERNEL;
      break;
    case x86::kExcpDB:  // the trap flag's single step: after the instruction, at the next one
      sig = SIGTRAP;
      info.si_code = TRAP_TRACE;
      info.si_addr = reinterpret_cast<void *>(cpu.rip);
      break;
    case x86::kExcpPF:
      if (cpu.error_code & 0x8000) {
        sig = SIGBUS;
        info.si_code = BUS_ADRERR;
      } else {
        sig = SIGSEGV;
        // Mapped (but not with the access needed): ACCERR, as the kernel says.
        info.si_code = g_proc->mem.prot_at(cpu.fault_addr) >= 0 ? SEGV_ACCERR : SEGV_MAPERR;
      }
      info.si_addr = reinterpret_cast<void *>(cpu.fault_addr);
      break;
    default:  // #GP and the rest
      sig = SIGSEGV;
      info.si_code = SI_KERNEL;
      break;
  }
  info.si_signo = sig;
  queue_signal(ts, sig, info);
}

void die_with_signal(int sig) {
  gdb_process_signalled(sig);
  log_close();
  fflush(stdout);
  fflush(stderr);
  // No core dumps from the emulator itself (QEMU's choice too).
  struct rlimit rl = {0, 0};
  setrlimit(RLIMIT_CORE, &rl);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
  kill(getpid(), sig);
  _exit(128 + sig);
}

bool probe_read(uint64_t addr, void *out, unsigned len) {
  sigjmp_buf jb;
  if (sigsetjmp(jb, 0)) {
    t_probe_jb = nullptr;
    return false;
  }
  t_probe_jb = &jb;
  memcpy(out, reinterpret_cast<const void *>(addr), len);
  t_probe_jb = nullptr;
  return true;
}

bool probe_write(uint64_t addr, const void *in, unsigned len) {
  sigjmp_buf jb;
  if (sigsetjmp(jb, 0)) {
    t_probe_jb = nullptr;
    return false;
  }
  t_probe_jb = &jb;
  memcpy(reinterpret_cast<void *>(addr), in, len);
  t_probe_jb = nullptr;
  return true;
}

// Drains the handler ring into the queue (on the owning thread).
void drain_ring(ThreadState *ts) {
  uint32_t tail = ts->ring_tail.load(std::memory_order_relaxed);
  uint32_t head = ts->ring_head.load(std::memory_order_acquire);
  if (tail == head) return;
  std::lock_guard<std::mutex> lock(ts->sig_mu);
  while (tail != head) {
    enqueue_locked(ts, ts->ring[tail % ThreadState::kRing]);
    ++tail;
  }
  ts->ring_tail.store(tail, std::memory_order_release);
}

}  // namespace qemu::user
