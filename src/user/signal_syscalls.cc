// The signal system calls, on the guest's signal state (actions, per-thread masks, queues and
// alternate stacks). Host signals stay unblocked: host handlers queue, the loop delivers.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "user/guest_addr.h"
#include "user/signal.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

constexpr uint64_t kUnblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

struct KSigaction {
  uint64_t handler, flags, restorer, mask;
};
struct KStack {
  uint64_t ss_sp;
  int32_t ss_flags, pad;
  uint64_t ss_size;
};

bool readable(uint64_t addr, uint64_t len) {
  return g_proc->mem.is_mapped(addr, len, PROT_READ);
}
bool writable(uint64_t addr, uint64_t len) {
  return g_proc->mem.is_mapped(addr, len, PROT_WRITE);
}

// Takes a queued signal in set (returns its number, fills info), or 0.
int take_from(ThreadState *ts, uint64_t set, siginfo_t *info) {
  drain_ring(ts);
  std::lock_guard<std::mutex> lock(ts->sig_mu);
  for (size_t i = 0; i < ts->queue.size(); ++i) {
    if (set & sigbit(ts->queue[i].sig)) {
      int sig = ts->queue[i].sig;
      *info = ts->queue[i].info;
      ts->queue.erase(ts->queue.begin() + i);
      return sig;
    }
  }
  return 0;
}

bool has_unblocked(ThreadState *ts) {
  drain_ring(ts);
  std::lock_guard<std::mutex> lock(ts->sig_mu);
  for (const PendingSignal &p : ts->queue)
    if (!(ts->sigmask & sigbit(p.sig))) return true;
  return false;
}

// Sleeps until a host signal arrives, with no window where one is missed: all host signals
// are blocked while the queue is checked, then sigsuspend unblocks them atomically.
void wait_for_unblocked(ThreadState *ts) {
  sigset_t all, wait_mask;
  sigfillset(&all);
  sigemptyset(&wait_mask);
  for (int sig = 1; sig <= kGuestNsig; ++sig)
    if ((ts->sigmask & sigbit(sig)) && sig != SIGSEGV && sig != SIGBUS && sig != 32 && sig != 33)
      sigaddset(&wait_mask, sig);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  while (!has_unblocked(ts)) {
    sigsuspend(&wait_mask);
    sigprocmask(SIG_BLOCK, &all, nullptr);
  }
  sync_host_mask(ts);
  ts->signal_pending.store(true);
}

}  // namespace

SYSCALL_HANDLER(rt_sigaction) {
  (void)ts;
  int sig = static_cast<int>(a[0]);
  if (a[3] != 8) return -EINVAL;
  if (sig < 1 || sig > kGuestNsig) return -EINVAL;
  KSigaction nact;
  if (a[1]) {
    if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
    if (!readable(a[1], sizeof nact)) return -EFAULT;
    memcpy(&nact, g2h(a[1]), sizeof nact);
  }
  if (a[2] && !writable(a[2], sizeof(KSigaction))) return -EFAULT;
  std::lock_guard<std::mutex> lock(g_proc->sigact_mu);
  GuestSigaction &cur = g_proc->sigact[sig];
  if (a[2]) {
    KSigaction old{cur.handler, cur.flags, cur.restorer, cur.mask};
    memcpy(g2h(a[2]), &old, sizeof old);
  }
  if (a[1]) {
    cur.handler = nact.handler;
    cur.flags = nact.flags;
    cur.restorer = nact.restorer;
    cur.mask = nact.mask & ~kUnblockable;
  }
  return 0;
}

SYSCALL_HANDLER(rt_sigprocmask) {
  if (a[3] != 8) return -EINVAL;
  uint64_t set = 0;
  if (a[1]) {
    if (!readable(a[1], 8)) return -EFAULT;
    memcpy(&set, g2h(a[1]), 8);
  }
  if (a[2]) {
    if (!writable(a[2], 8)) return -EFAULT;
    memcpy(g2h(a[2]), &ts->sigmask, 8);
  }
  if (a[1]) {
    switch (a[0]) {
      case SIG_BLOCK:
        ts->sigmask |= set;
        break;
      case SIG_UNBLOCK:
        ts->sigmask &= ~set;
        break;
      case SIG_SETMASK:
        ts->sigmask = set;
        break;
      default:
        return -EINVAL;
    }
    ts->sigmask &= ~kUnblockable;
    sync_host_mask(ts);
    ts->signal_pending.store(true);  // re-evaluated by the loop
  }
  return 0;
}

SYSCALL_HANDLER(sigaltstack) {
  uint64_t sp = ts->cpu.regs[x86::RSP];
  bool on = ts->altstack_size && sp > ts->altstack_sp && sp <= ts->altstack_sp + ts->altstack_size;
  if (a[1]) {
    if (!writable(a[1], sizeof(KStack))) return -EFAULT;
    KStack old{ts->altstack_sp, on ? 1 : (ts->altstack_flags & 2), 0, ts->altstack_size};
    memcpy(g2h(a[1]), &old, sizeof old);
  }
  if (a[0]) {
    if (!readable(a[0], sizeof(KStack))) return -EFAULT;
    KStack ns;
    memcpy(&ns, g2h(a[0]), sizeof ns);
    if (on) return -EPERM;
    if (ns.ss_flags & 2) {
      ts->altstack_sp = 0;
      ts->altstack_size = 0;
      ts->altstack_flags = 2;
    } else {
      if (ns.ss_flags & ~int32_t(1u << 31)) return -EINVAL;
      if (ns.ss_size < 2048) return -ENOMEM;
      ts->altstack_sp = ns.ss_sp;
      ts->altstack_size = ns.ss_size;
      ts->altstack_flags = 0;
    }
  }
  return 0;
}

SYSCALL_HANDLER(rt_sigpending) {
  if (a[1] != 8) return -EINVAL;
  if (!writable(a[0], 8)) return -EFAULT;
  drain_ring(ts);
  uint64_t set = 0;
  {
    std::lock_guard<std::mutex> lock(ts->sig_mu);
    for (const PendingSignal &p : ts->queue) set |= sigbit(p.sig);
  }
  // And what the kernel keeps pending for us (blocked on the host too).
  sigset_t host;
  if (sigpending(&host) == 0)
    for (int sig = 1; sig <= kGuestNsig; ++sig)
      if (sigismember(&host, sig) == 1) set |= sigbit(sig);
  set &= ts->sigmask;
  memcpy(g2h(a[0]), &set, 8);
  return 0;
}

SYSCALL_HANDLER(rt_sigsuspend) {
  if (a[1] != 8) return -EINVAL;
  if (!readable(a[0], 8)) return -EFAULT;
  uint64_t set;
  memcpy(&set, g2h(a[0]), 8);
  ts->saved_mask = ts->sigmask;
  ts->have_saved_mask = true;
  ts->sigmask = set & ~kUnblockable;
  wait_for_unblocked(ts);
  return -EINTR;
}

SYSCALL_HANDLER(pause) {
  (void)a;
  wait_for_unblocked(ts);
  return -EINTR;
}

SYSCALL_HANDLER(rt_sigtimedwait) {
  if (a[3] != 8) return -EINVAL;
  if (!readable(a[0], 8)) return -EFAULT;
  uint64_t set;
  memcpy(&set, g2h(a[0]), 8);
  set &= ~kUnblockable;
  siginfo_t info;
  int sig = take_from(ts, set, &info);
  if (!sig) {
    // Block them on the host so the kernel keeps them for us, then wait there.
    sigset_t hset, old;
    sigemptyset(&hset);
    for (int s = 1; s <= kGuestNsig; ++s)
      if (set & sigbit(s)) sigaddset(&hset, s);
    sigprocmask(SIG_BLOCK, &hset, &old);
    sig = take_from(ts, set, &info);
    if (!sig) {
      int64_t r = host_syscall(SYS_rt_sigtimedwait, reinterpret_cast<uint64_t>(&hset),
                               reinterpret_cast<uint64_t>(&info), g2h_arg(a[2]), 8);
      sig = r > 0 ? static_cast<int>(r) : 0;
      if (r < 0) {
        sigprocmask(SIG_SETMASK, &old, nullptr);
        return r;
      }
    }
    sigprocmask(SIG_SETMASK, &old, nullptr);
  }
  if (a[1]) {
    if (!writable(a[1], sizeof info)) return -EFAULT;
    memcpy(g2h(a[1]), &info, sizeof info);
  }
  return sig;
}

}  // namespace qemu::user
