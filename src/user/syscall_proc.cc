// Process and thread system calls: exit, clone/fork/vfork (threads are host threads running
// their own cpu loop), execve (the new program runs under the emulator too), arch_prctl, uname.
#include <asm/prctl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/log.h"
#include "jit/exec/engine.h"
#include "user/cpu_loop.h"
#include "user/gdb.h"
#include "user/guest_addr.h"
#include "user/signal.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

std::atomic<int> g_threads{1};

bool put_u32(uint64_t addr, uint32_t v) {
  if (!g_proc->mem.is_mapped(addr, 4, PROT_WRITE)) return false;
  memcpy(g2h(addr), &v, 4);
  return true;
}
bool put_u64(uint64_t addr, uint64_t v) {
  if (!g_proc->mem.is_mapped(addr, 8, PROT_WRITE)) return false;
  memcpy(g2h(addr), &v, 8);
  return true;
}

// What a thread does when it ends: CLONE_CHILD_CLEARTID's store and wake.
void clear_child_tid(ThreadState *ts) {
  if (ts->clear_child_tid && put_u32(ts->clear_child_tid, 0))
    host_syscall(SYS_futex, g2h_addr(ts->clear_child_tid), FUTEX_WAKE, 1, 0, 0, 0);
}

struct CloneStart {
  ThreadState *child;
  uint64_t flags, ptid, ctid;
  sem_t ready;
};

void *thread_main(void *arg) {
  auto *cs = static_cast<CloneStart *>(arg);
  ThreadState *ts = cs->child;
  ts->tid = static_cast<int>(syscall(SYS_gettid));
  set_current_thread(ts);
  if (cs->flags & CLONE_CHILD_SETTID) put_u32(cs->ctid, ts->tid);
  if (cs->flags & CLONE_PARENT_SETTID) put_u32(cs->ptid, ts->tid);
  gdb_thread_started(ts);
  sem_post(&cs->ready);
  cpu_loop(ts);  // never returns
  return nullptr;
}

// vfork semantics (CLONE_VM|CLONE_VFORK: vfork(), posix_spawn): the child shares our memory
// and runs on this thread's host TLS while the parent is suspended in clone until the child
// execs or exits, so what the child writes (posix_spawn's error code) the parent sees.
struct VforkStart {
  ThreadState *child;
  uint64_t flags, ctid;
};

int vfork_child_main(void *arg) {
  auto *vs = static_cast<VforkStart *>(arg);
  ThreadState *ts = vs->child;
  ts->tid = static_cast<int>(syscall(SYS_gettid));
  set_current_thread(ts);
  if (vs->flags & CLONE_CHILD_SETTID) put_u32(vs->ctid, ts->tid);
  if (vs->flags & CLONE_CHILD_CLEARTID) ts->clear_child_tid = vs->ctid;
  cpu_loop(ts);
}

int64_t do_vfork(ThreadState *ts, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
                 uint64_t tls) {
  auto *child = new ThreadState;
  memcpy(&child->cpu, &ts->cpu, sizeof child->cpu);
  child->cpu.opaque = child;
  child->cpu.regs[x86::RAX] = 0;
  if (newsp) child->cpu.regs[x86::RSP] = newsp;
  if (flags & CLONE_SETTLS) child->cpu.fs_base = tls;
  child->sigmask = ts->sigmask;
  child->vfork_child = true;
  constexpr size_t kStack = 1 << 20;
  void *stack =
      mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    delete child;
    return -ENOMEM;
  }
  VforkStart vs{child, flags, ctid};
  int exit_signal = static_cast<int>(flags & 0xff);
  fflush(nullptr);
  int pid = clone(vfork_child_main, static_cast<char *>(stack) + kStack,
                  CLONE_VM | CLONE_VFORK | exit_signal, &vs);
  int e = errno;
  // Back in the parent: the child ran on this thread's TLS.
  set_current_thread(ts);
  munmap(stack, kStack);
  delete child;
  if (pid < 0) return -e;
  if (flags & CLONE_PARENT_SETTID) put_u32(ptid, pid);
  return pid;
}

int64_t do_clone(ThreadState *ts, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
                 uint64_t tls) {
  if (flags & CLONE_VM && !(flags & CLONE_VFORK)) {
    // A thread.
    if ((flags & (CLONE_THREAD | CLONE_SIGHAND)) != (CLONE_THREAD | CLONE_SIGHAND)) return -EINVAL;
    auto *child = new ThreadState;
    memcpy(&child->cpu, &ts->cpu, sizeof child->cpu);
    child->cpu.opaque = child;
    child->cpu.regs[x86::RAX] = 0;
    if (newsp) child->cpu.regs[x86::RSP] = newsp;
    if (flags & CLONE_SETTLS) child->cpu.fs_base = tls;
    if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = ctid;
    child->sigmask = ts->sigmask;
    CloneStart cs{child, flags, ptid, ctid, {}};
    sem_init(&cs.ready, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 20);
    // The new thread starts with every host signal blocked until it runs its loop.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_t th;
    g_threads.fetch_add(1);
    int e = pthread_create(&th, &attr, thread_main, &cs);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    pthread_attr_destroy(&attr);
    if (e) {
      g_threads.fetch_sub(1);
      delete child;
      return -e;
    }
    while (sem_wait(&cs.ready) != 0) {
    }
    sem_destroy(&cs.ready);
    return child->tid;
  }
  if ((flags & CLONE_VM) && (flags & CLONE_VFORK))
    return do_vfork(ts, flags, newsp, ptid, ctid, tls);
  // A process: fork (the parent waits for a CLONE_VFORK child to exec or exit).
  int pipefd[2] = {-1, -1};
  if (flags & CLONE_VFORK) {
    if (pipe2(pipefd, O_CLOEXEC) < 0) pipefd[0] = pipefd[1] = -1;
  }
  fflush(nullptr);
  jit::Engine *engine = g_proc->engine;
  if (engine) engine->fork_prepare();
  pid_t pid = fork();
  int e = errno;
  if (engine) pid == 0 ? engine->fork_child() : engine->fork_parent();
  if (pid < 0) return -e;
  if (pid == 0) {
    if (pipefd[0] >= 0) close(pipefd[0]);
    ts->tid = static_cast<int>(syscall(SYS_gettid));
    gdb_fork_child();
    g_threads.store(1);
    if (newsp) ts->cpu.regs[x86::RSP] = newsp;
    if (flags & CLONE_SETTLS) ts->cpu.fs_base = tls;
    if (flags & CLONE_CHILD_SETTID) put_u32(ctid, ts->tid);
    if (flags & CLONE_CHILD_CLEARTID) ts->clear_child_tid = ctid;
    return 0;
  }
  if (flags & CLONE_PARENT_SETTID) put_u32(ptid, pid);
  if (pipefd[1] >= 0) {
    close(pipefd[1]);
    char c;
    while (read(pipefd[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(pipefd[0]);
  }
  return pid;
}

// Reads a NULL-terminated guest array of strings.
bool read_string_array(uint64_t addr, std::vector<std::string> *out) {
  out->clear();
  if (!addr) return true;
  for (;;) {
    if (!g_proc->mem.is_mapped(addr, 8, PROT_READ)) return false;
    uint64_t p;
    memcpy(&p, g2h(addr), 8);
    if (!p) return true;
    if (!g_proc->mem.is_mapped(p, 1, PROT_READ)) return false;
    out->emplace_back(static_cast<const char *>(g2h(p)));
    addr += 8;
    if (out->size() > 1 << 20) return false;
  }
}

bool read_path(uint64_t addr, std::string *out) {
  if (!g_proc->mem.is_mapped(addr, 1, PROT_READ)) return false;
  *out = static_cast<const char *>(g2h(addr));
  return true;
}

int64_t do_execve(ThreadState *ts, const std::string &path, uint64_t argv_addr,
                  uint64_t envp_addr) {
  std::vector<std::string> argv, envp;
  if (!read_string_array(argv_addr, &argv) || !read_string_array(envp_addr, &envp)) return -EFAULT;
  // The checks execve makes, so failures come back to the guest.
  if (access(path.c_str(), X_OK) != 0) return -errno;
  bool script;
  LoadError err;
  if (!check_executable(path, &script, &err)) return err.errnum ? -err.errnum : -ENOEXEC;

  std::vector<std::string> args = {g_proc->self_exe};
  for (const std::string &o : g_proc->exec_prefix_args) args.push_back(o);
  std::string program = path;
  std::vector<std::string> guest_args = argv;
  std::string interp, iarg;
  if (script && parse_shebang(path, &interp, &iarg)) {
    program = interp;
    guest_args = {interp};
    if (!iarg.empty()) guest_args.push_back(iarg);
    guest_args.push_back(path);
    for (size_t i = 1; i < argv.size(); ++i) guest_args.push_back(argv[i]);
  } else if (script) {
    return -ENOEXEC;
  }
  if (!guest_args.empty()) {
    args.push_back("-0");
    args.push_back(guest_args[0]);
  }
  args.push_back("--");
  args.push_back(program);
  for (size_t i = 1; i < guest_args.size(); ++i) args.push_back(guest_args[i]);
  std::vector<char *> av, ev;
  for (auto &s : args) av.push_back(s.data());
  av.push_back(nullptr);
  for (auto &s : envp) ev.push_back(s.data());
  ev.push_back(nullptr);
  if (!ts->vfork_child) log_close();
  fflush(nullptr);
  return host_syscall(SYS_execve, reinterpret_cast<uint64_t>(g_proc->self_exe.c_str()),
                      reinterpret_cast<uint64_t>(av.data()), reinterpret_cast<uint64_t>(ev.data()));
}

}  // namespace

SYSCALL_HANDLER(exit) {
  // gdb forgets the thread before its joiner can wake: the joiner may stop at a breakpoint at
  // once, and gdb must not then find the exiting thread in the thread list.
  if (!ts->vfork_child) gdb_thread_exited(ts);
  clear_child_tid(ts);
  if (ts->vfork_child) host_syscall(SYS_exit_group, a[0]);
  if (g_threads.fetch_sub(1) == 1) {
    gdb_process_exit(static_cast<int>(a[0]));
    log_close();
    host_syscall(SYS_exit_group, a[0]);
  }
  // pthread_exit so the thread's host state (the engine's per-thread data) is released.
  pthread_exit(nullptr);
}

SYSCALL_HANDLER(exit_group) {
  // A vfork child shares our memory: the log stays open for the parent.
  if (!ts->vfork_child) {
    gdb_process_exit(static_cast<int>(a[0]));
    log_close();
  }
  fflush(nullptr);
  host_syscall(SYS_exit_group, a[0]);
  __builtin_unreachable();
}

SYSCALL_HANDLER(arch_prctl) {
  switch (a[0]) {
    case ARCH_SET_FS:
      if (a[1] >= kUserSpaceEnd) return -EPERM;
      ts->cpu.fs_base = a[1];
      return 0;
    case ARCH_SET_GS:
      if (a[1] >= kUserSpaceEnd) return -EPERM;
      ts->cpu.gs_base = a[1];
      return 0;
    case ARCH_GET_FS:
      return put_u64(a[1], ts->cpu.fs_base) ? 0 : -EFAULT;
    case ARCH_GET_GS:
      return put_u64(a[1], ts->cpu.gs_base) ? 0 : -EFAULT;
    default:
      return -EINVAL;
  }
}

SYSCALL_HANDLER(set_tid_address) {
  ts->clear_child_tid = a[0];
  return ts->tid;
}

SYSCALL_HANDLER(clone) {
  // x86-64: clone(flags, newsp, parent_tid, child_tid, tls)
  return do_clone(ts, a[0], a[1], a[2], a[3], a[4]);
}

SYSCALL_HANDLER(clone3) {
  struct clone_args ca;
  if (a[1] < 64 || a[1] > sizeof ca + 4096) return -EINVAL;
  memset(&ca, 0, sizeof ca);
  if (!g_proc->mem.is_mapped(a[0], std::min<uint64_t>(a[1], sizeof ca), PROT_READ)) return -EFAULT;
  memcpy(&ca, g2h(a[0]), std::min<uint64_t>(a[1], sizeof ca));
  if (ca.flags & (CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET))
    return -ENOSYS;  // glibc falls back to clone
  uint64_t sp = ca.stack ? ca.stack + ca.stack_size : 0;
  return do_clone(ts, ca.flags | (ca.exit_signal & 0xff), sp, ca.parent_tid, ca.child_tid, ca.tls);
}

SYSCALL_HANDLER(fork) {
  (void)a;
  return do_clone(ts, SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_HANDLER(vfork) {
  (void)a;
  return do_clone(ts, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_HANDLER(execve) {
  (void)ts;
  std::string path;
  if (!read_path(a[0], &path)) return -EFAULT;
  return do_execve(ts, path, a[1], a[2]);
}

SYSCALL_HANDLER(execveat) {
  (void)ts;
  std::string path;
  if (!read_path(a[1], &path)) return -EFAULT;
  int dirfd = static_cast<int>(a[0]);
  if (path.empty() && (a[4] & AT_EMPTY_PATH)) {
    path = "/proc/self/fd/" + std::to_string(dirfd);
  } else if (path[0] != '/' && dirfd != AT_FDCWD) {
    path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + path;
  }
  return do_execve(ts, path, a[2], a[3]);
}

SYSCALL_HANDLER(uname) {
  (void)ts;
  struct utsname u;
  if (uname(&u) < 0) return -errno;
  if (!g_proc->opts.uname_release.empty()) {
    snprintf(u.release, sizeof u.release, "%s", g_proc->opts.uname_release.c_str());
  }
  snprintf(u.machine, sizeof u.machine, "x86_64");
  if (!g_proc->mem.is_mapped(a[0], sizeof u, PROT_WRITE)) return -EFAULT;
  memcpy(g2h(a[0]), &u, sizeof u);
  return 0;
}

SYSCALL_HANDLER(prctl) {
  // A seccomp filter would apply to the emulator as well, and PR_SET_MM would rewrite the
  // emulator's own memory map (brk, stack, auxv, exe file): both refused, as QEMU 7.2 does.
  if (a[0] == PR_SET_SECCOMP || a[0] == PR_SET_MM) return -EINVAL;
  // The guest's clear_child_tid, not the host thread's.
  if (a[0] == PR_GET_TID_ADDRESS) return put_u64(a[1], ts->clear_child_tid) ? 0 : -EFAULT;
  uint64_t arg2 = a[1];
  switch (a[0]) {  // the options whose second argument is a pointer
    case PR_GET_PDEATHSIG:
    case PR_GET_UNALIGN:
    case PR_GET_FPEMU:
    case PR_GET_FPEXC:
    case PR_SET_NAME:
    case PR_GET_NAME:
    case PR_GET_ENDIAN:
    case PR_GET_TSC:
    case PR_GET_CHILD_SUBREAPER:
      arg2 = g2h_arg(a[1]);
      break;
    case 0x53564d41:  // PR_SET_VMA: a guest range and its name
      return host_syscall(SYS_prctl, a[0], a[1], g2h_arg(a[2]), a[3], g2h_arg(a[4]));
    default:
      break;
  }
  return host_syscall(SYS_prctl, a[0], arg2, a[2], a[3], a[4]);
}

}  // namespace qemu::user
