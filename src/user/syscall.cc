// System call dispatch: -strace, the table's handler or the host kernel, unimplemented calls.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>

#include "base/log.h"
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
  } else {
    ret = host_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  if (strace && def->ret != 'n') log_write(strace_result(nr, ret));
  if (ret == -EINTR && ts->signal_pending.load()) ret = kErestartSys;
  return ret;
}

}  // namespace qemu::user
