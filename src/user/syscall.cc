// System call dispatch: -strace, the table's handler or the host kernel, unimplemented calls.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>

#include "base/log.h"
#include "jit/exec/engine.h"
#include "user/code_alias.h"
#include "user/guest_addr.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

void log_unimp_once(uint64_t nr) {
  static std::mutex mu;
  static std::set<uint64_t> seen;
  std::lock_guard<std::mutex> lock(mu);
  if (seen.insert(nr).second) qemu_log("Unsupported syscall: {}\n", nr);
}

// Unprotects code pages the guest may write that an argument points into (and the pages
// following them that are also such). True when any was.
bool release_code_pages(const uint64_t a[6]) {
  GuestMemoryMap &mem = g_proc->mem;
  bool any = false;
  for (int i = 0; i < 6; ++i) {
    uint64_t p = page_down(a[i]);
    if (a[i] < kPageSize || a[i] >= g_guest_limit) continue;
    for (int n = 0; n < 256 && mem.is_code_page(p) && mem.wants_write(p); ++n, p += kPageSize) {
      if (g_proc->engine) g_proc->engine->invalidate(p, p + kPageSize);
      uint64_t targets[8];
      drop_alias_targets(p, targets, 8);
      mem.set_code_page(p, false);
      int prot = mem.prot_at(p);
      host_syscall(SYS_mprotect, g2h_addr(p), kPageSize,
                   (prot < 0 ? PROT_READ : prot) | PROT_WRITE);
      any = true;
    }
  }
  return any;
}

}  // namespace

SYSCALL_HANDLER(enosys) {
  (void)ts;
  (void)a;
  return -ENOSYS;
}

int64_t do_syscall(ThreadState *ts, uint64_t nr, const uint64_t a[6]) {
  bool strace = g_proc->opts.strace || log_enabled(kLogStrace);
  const SyscallDef *def = find_syscall(nr);
  if (strace) {
    std::string line = fmt::format("{} {}", getpid(), strace_call(nr, a));
    if (!def || def->ret == 'n') line += "\n";
    log_write(line);
  }
  int64_t ret;
  if (!def) {
    if (log_enabled(kLogUnimp)) log_unimp_once(nr);
    return -ENOSYS;
  }
  if (def->handler) {
    ret = def->handler(ts, a);
  } else if (!g_guest_base) {
    ret = host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    // The kernel wrote into a page we keep read-only for its translated code: give the
    // pages back their write permission (dropping the code) and run the call again.
    if (ret == -EFAULT && release_code_pages(a))
      ret = host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  } else {
    ret = translated_syscall(ts, nr, a);
    if (ret == -EFAULT && release_code_pages(a)) ret = translated_syscall(ts, nr, a);
  }
  if (strace && def->ret != 'n') log_write(strace_result(nr, ret));
  if (ret == -EINTR && ts->signal_pending.load()) ret = kErestartSys;
  return ret;
}

}  // namespace qemu::user
