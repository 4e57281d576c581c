// System calls passed through to the host when the guest base is not 0: which arguments are
// guest pointers (translated to host addresses; NULL stays NULL), and the calls whose
// arguments point to structures holding more pointers (iovecs, msghdrs, futex's second word,
// pselect6's sigset pair, ...), which get host copies with translated pointers. With base 0
// none of this runs: the table's calls go straight to the host (syscall.cc).
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "user/guest_addr.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

constexpr uint8_t A0 = 1, A1 = 2, A2 = 4, A3 = 8, A4 = 16, A5 = 32;
constexpr size_t kIovMax = 1024;

int64_t call(uint64_t nr, const uint64_t h[6]) {
  return host_syscall(nr, h[0], h[1], h[2], h[3], h[4], h[5]);
}

template <class T>
bool get(uint64_t addr, T *out, size_t n = 1) {
  if (!g_proc->mem.is_mapped(addr, sizeof(T) * n, PROT_READ)) return false;
  memcpy(out, g2h(addr), sizeof(T) * n);
  return true;
}
template <class T>
bool put(uint64_t addr, const T *in, size_t n = 1) {
  if (!g_proc->mem.is_mapped(addr, sizeof(T) * n, PROT_WRITE)) return false;
  memcpy(g2h(addr), in, sizeof(T) * n);
  return true;
}

uint64_t ptr_of(const void *p) {
  return reinterpret_cast<uint64_t>(p);
}

// A guest iovec array as host iovecs. 0, or -errno.
int64_t iov_to_host(uint64_t addr, uint64_t count, std::vector<iovec> *out) {
  if (count > kIovMax) return -EINVAL;
  out->resize(count);
  if (count && !get(addr, out->data(), count)) return -EFAULT;
  for (iovec &v : *out) v.iov_base = reinterpret_cast<void *>(g2h_arg(ptr_of(v.iov_base)));
  return 0;
}

// The iovec array at argument i, its count at argument i + 1.
int64_t with_iov(uint64_t nr, const uint64_t a[6], uint8_t mask, int i) {
  std::vector<iovec> iov;
  if (int64_t e = iov_to_host(a[i], a[i + 1], &iov)) return e;
  uint64_t h[6];
  for (int k = 0; k < 6; ++k) h[k] = (mask >> k) & 1 ? g2h_arg(a[k]) : a[k];
  h[i] = a[i] ? ptr_of(iov.data()) : 0;
  return call(nr, h);
}

// A guest msghdr as a host one (its iovecs in iov).
int64_t msghdr_to_host(uint64_t addr, msghdr *m, std::vector<iovec> *iov) {
  if (!get(addr, m)) return -EFAULT;
  if (int64_t e = iov_to_host(ptr_of(m->msg_iov), m->msg_iovlen, iov)) return e;
  m->msg_name = reinterpret_cast<void *>(g2h_arg(ptr_of(m->msg_name)));
  m->msg_control = reinterpret_cast<void *>(g2h_arg(ptr_of(m->msg_control)));
  m->msg_iov = m->msg_iov ? iov->data() : nullptr;
  return 0;
}

// What recvmsg changes in the guest's msghdr.
void msghdr_back(uint64_t addr, const msghdr &m) {
  msghdr g;
  if (!get(addr, &g)) return;
  g.msg_namelen = m.msg_namelen;
  g.msg_controllen = m.msg_controllen;
  g.msg_flags = m.msg_flags;
  put(addr, &g);
}

int64_t x_msg(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  msghdr m;
  std::vector<iovec> iov;
  if (int64_t e = msghdr_to_host(a[1], &m, &iov)) return e;
  const int64_t r = host_syscall(nr, a[0], ptr_of(&m), a[2]);
  if (nr == SYS_recvmsg && r >= 0) msghdr_back(a[1], m);
  return r;
}

int64_t x_mmsg(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  const uint64_t n = std::min<uint64_t>(a[2], kIovMax);
  std::vector<mmsghdr> v(n);
  std::vector<std::vector<iovec>> iovs(n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t ga = a[1] + i * sizeof(mmsghdr);
    if (int64_t e = msghdr_to_host(ga, &v[i].msg_hdr, &iovs[i])) return e;
    v[i].msg_len = 0;
  }
  const uint64_t timeout = nr == SYS_recvmmsg ? g2h_arg(a[4]) : a[4];
  const int64_t r = host_syscall(nr, a[0], n ? ptr_of(v.data()) : g2h_arg(a[1]), n, a[3], timeout);
  for (int64_t i = 0; i < r && static_cast<uint64_t>(i) < n; ++i) {
    const uint64_t ga = a[1] + i * sizeof(mmsghdr);
    if (nr == SYS_recvmmsg) msghdr_back(ga, v[i].msg_hdr);
    put(ga + offsetof(mmsghdr, msg_len), &v[i].msg_len);
  }
  return r;
}

int64_t x_futex(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  uint64_t h[6] = {g2h_arg(a[0]), a[1], a[2], a[3], a[4], a[5]};
  switch (a[1] & FUTEX_CMD_MASK) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
      h[3] = g2h_arg(a[3]);  // the timeout
      break;
    case FUTEX_WAIT_REQUEUE_PI:
      h[3] = g2h_arg(a[3]);
      h[4] = g2h_arg(a[4]);
      break;
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_WAKE_OP:
    case FUTEX_CMP_REQUEUE_PI:
      h[4] = g2h_arg(a[4]);  // the second word (a[3] is a count)
      break;
    default:
      break;
  }
  return call(nr, h);
}

int64_t x_futex_waitv(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  struct Waitv {
    uint64_t val, uaddr;
    uint32_t flags, reserved;
  };
  const uint64_t n = std::min<uint64_t>(a[1], 128);
  std::vector<Waitv> v(n);
  if (n && !get(a[0], v.data(), n)) return -EFAULT;
  for (Waitv &w : v) w.uaddr = g2h_arg(w.uaddr);
  return host_syscall(nr, n ? ptr_of(v.data()) : g2h_arg(a[0]), a[1], a[2], g2h_arg(a[3]), a[4]);
}

// ioctl: the argument is a pointer when the request says it moves data, and for the old tty
// requests that take one (those taking a number or nothing are listed).
int64_t x_ioctl(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  const uint32_t req = static_cast<uint32_t>(a[1]);
  bool is_ptr = _IOC_DIR(req) != _IOC_NONE;
  if (!is_ptr && (req & 0xff00) == 0x5400) {
    switch (req) {
      case TCSBRK:
      case TCXONC:
      case TCFLSH:
      case TIOCSCTTY:
      case TIOCNOTTY:
      case TCSBRKP:
      case TIOCSBRK:
      case TIOCCBRK:
      case FIOCLEX:
      case FIONCLEX:
        break;
      default:
        is_ptr = true;
    }
  }
  return host_syscall(nr, a[0], a[1], is_ptr ? g2h_arg(a[2]) : a[2]);
}

int64_t x_fcntl(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  switch (a[1]) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
    case F_GETOWN_EX:
    case F_SETOWN_EX:
    case F_GET_RW_HINT:
    case F_SET_RW_HINT:
    case F_GET_FILE_RW_HINT:
    case F_SET_FILE_RW_HINT:
      return host_syscall(nr, a[0], a[1], g2h_arg(a[2]));
    default:
      return host_syscall(nr, a[0], a[1], a[2]);
  }
}

int64_t x_semctl(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  switch (a[2] & ~uint64_t{0x100}) {  // IPC_64
    case 1:                           // IPC_SET
    case 2:                           // IPC_STAT
    case 3:                           // IPC_INFO
    case 13:                          // GETALL
    case 17:                          // SETALL
    case 18:                          // SEM_STAT
    case 19:                          // SEM_INFO
    case 20:                          // SEM_STAT_ANY
      return host_syscall(nr, a[0], a[1], a[2], g2h_arg(a[3]));
    default:
      return host_syscall(nr, a[0], a[1], a[2], a[3]);
  }
}

int64_t x_pselect6(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  struct {
    uint64_t ss, len;
  } sig;
  uint64_t h[6] = {a[0], g2h_arg(a[1]), g2h_arg(a[2]), g2h_arg(a[3]), g2h_arg(a[4]), 0};
  if (a[5]) {
    if (!get(a[5], &sig)) return -EFAULT;
    sig.ss = g2h_arg(sig.ss);
    h[5] = ptr_of(&sig);
  }
  return call(nr, h);
}

// kcmp: KCMP_EPOLL_TFD's last argument points to the slot to compare.
int64_t x_kcmp(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  constexpr uint64_t kKcmpEpollTfd = 7;
  return host_syscall(nr, a[0], a[1], a[2], a[3], a[2] == kKcmpEpollTfd ? g2h_arg(a[4]) : a[4]);
}

// process_vm_readv/writev: the local iovecs are ours; the remote ones too when the remote
// process is this one.
int64_t x_process_vm(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  std::vector<iovec> local, remote;
  if (int64_t e = iov_to_host(a[1], a[2], &local)) return e;
  uint64_t r = g2h_arg(a[3]);
  if (static_cast<pid_t>(a[0]) == getpid()) {
    if (int64_t e = iov_to_host(a[3], a[4], &remote)) return e;
    r = a[3] ? ptr_of(remote.data()) : 0;
  }
  return host_syscall(nr, a[0], a[1] ? ptr_of(local.data()) : 0, a[2], r, a[4], a[5]);
}

// io_submit: the kernel reads each iocb (and a vectored one's iovecs) during the call, so the
// guest's iocbs get host buffer addresses for the call's duration.
int64_t x_io_submit(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  const int64_t n = static_cast<int64_t>(a[1]);
  if (n < 0) return -EINVAL;
  std::vector<uint64_t> ptrs(static_cast<size_t>(std::min<int64_t>(n, 4096)));
  if (!ptrs.empty() && !get(a[2], ptrs.data(), ptrs.size())) return -EFAULT;
  std::vector<std::vector<iovec>> iovs(ptrs.size());
  std::vector<uint64_t> saved(ptrs.size());
  size_t patched = 0;
  int64_t r = 0;
  for (; patched < ptrs.size(); ++patched) {
    iocb cb;
    const uint64_t g = ptrs[patched];
    if (!get(g, &cb)) {
      r = -EFAULT;
      break;
    }
    saved[patched] = cb.aio_buf;
    if (cb.aio_lio_opcode == IOCB_CMD_PREADV || cb.aio_lio_opcode == IOCB_CMD_PWRITEV) {
      if ((r = iov_to_host(cb.aio_buf, cb.aio_nbytes, &iovs[patched]))) break;
      cb.aio_buf = ptr_of(iovs[patched].data());
    } else {
      cb.aio_buf = g2h_arg(cb.aio_buf);
    }
    if (!put(g + offsetof(iocb, aio_buf), &cb.aio_buf)) {
      r = -EFAULT;
      break;
    }
    ptrs[patched] = g2h_addr(g);
  }
  if (!r) r = host_syscall(nr, a[0], ptrs.size(), ptr_of(ptrs.data()));
  for (size_t i = 0; i < patched; ++i) {
    const uint64_t g = h2g(ptrs[i]);
    put(g + offsetof(iocb, aio_buf), &saved[i]);
  }
  return r;
}

// io_getevents / io_pgetevents: each event's obj is the iocb's host address.
int64_t x_io_getevents(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  uint64_t h[6] = {a[0], a[1], a[2], g2h_arg(a[3]), g2h_arg(a[4]), g2h_arg(a[5])};
  const int64_t r = call(nr, h);
  for (int64_t i = 0; i < r; ++i) {
    io_event ev;
    const uint64_t g = a[3] + i * sizeof ev;
    if (!get(g, &ev)) break;
    ev.obj = h2g(ev.obj);
    put(g, &ev);
  }
  return r;
}

int64_t x_io_cancel(ThreadState *, uint64_t nr, const uint64_t a[6]) {
  const int64_t r = host_syscall(nr, a[0], g2h_arg(a[1]), g2h_arg(a[2]));
  io_event ev;
  if (r == 0 && get(a[2], &ev)) {
    ev.obj = h2g(ev.obj);
    put(a[2], &ev);
  }
  return r;
}

using Special = int64_t (*)(ThreadState *ts, uint64_t nr, const uint64_t a[6]);

struct PtrDef {
  uint16_t nr;
  uint8_t mask;               // guest pointer arguments (bit i: argument i)
  Special special = nullptr;  // structures with pointers: a handler of its own
  int8_t iov = -1;            // an iovec array at this argument, its count after it
};

const PtrDef kDefs[] = {
    {SYS_read, A1},
    {SYS_write, A1},
    {SYS_close, 0},
    {SYS_stat, A0 | A1},
    {SYS_fstat, A1},
    {SYS_lstat, A0 | A1},
    {SYS_poll, A0},
    {SYS_lseek, 0},
    {SYS_ioctl, 0, x_ioctl},
    {SYS_pread64, A1},
    {SYS_pwrite64, A1},
    {SYS_readv, 0, nullptr, 1},
    {SYS_writev, 0, nullptr, 1},
    {SYS_access, A0},
    {SYS_pipe, A0},
    {SYS_select, A1 | A2 | A3 | A4},
    {SYS_sched_yield, 0},
    {SYS_msync, A0},
    {SYS_mincore, A0 | A2},
    {SYS_shmget, 0},
    {SYS_shmctl, A2},
    {SYS_dup, 0},
    {SYS_dup2, 0},
    {SYS_nanosleep, A0 | A1},
    {SYS_getitimer, A1},
    {SYS_alarm, 0},
    {SYS_setitimer, A1 | A2},
    {SYS_getpid, 0},
    {SYS_sendfile, A2},
    {SYS_socket, 0},
    {SYS_connect, A1},
    {SYS_accept, A1 | A2},
    {SYS_sendto, A1 | A4},
    {SYS_recvfrom, A1 | A4 | A5},
    {SYS_sendmsg, 0, x_msg},
    {SYS_recvmsg, 0, x_msg},
    {SYS_shutdown, 0},
    {SYS_bind, A1},
    {SYS_listen, 0},
    {SYS_getsockname, A1 | A2},
    {SYS_getpeername, A1 | A2},
    {SYS_socketpair, A3},
    {SYS_setsockopt, A3},
    {SYS_getsockopt, A3 | A4},
    {SYS_wait4, A1 | A3},
    {SYS_kill, 0},
    {SYS_semget, 0},
    {SYS_semop, A1},
    {SYS_semctl, 0, x_semctl},
    {SYS_shmdt, A0},
    {SYS_msgget, 0},
    {SYS_msgsnd, A1},
    {SYS_msgrcv, A1},
    {SYS_msgctl, A2},
    {SYS_fcntl, 0, x_fcntl},
    {SYS_flock, 0},
    {SYS_fsync, 0},
    {SYS_fdatasync, 0},
    {SYS_truncate, A0},
    {SYS_ftruncate, 0},
    {SYS_getdents, A1},
    {SYS_getcwd, A0},
    {SYS_chdir, A0},
    {SYS_fchdir, 0},
    {SYS_rename, A0 | A1},
    {SYS_mkdir, A0},
    {SYS_rmdir, A0},
    {SYS_creat, A0},
    {SYS_link, A0 | A1},
    {SYS_unlink, A0},
    {SYS_symlink, A0 | A1},
    {SYS_chmod, A0},
    {SYS_fchmod, 0},
    {SYS_chown, A0},
    {SYS_fchown, 0},
    {SYS_lchown, A0},
    {SYS_umask, 0},
    {SYS_gettimeofday, A0 | A1},
    {SYS_getrlimit, A1},
    {SYS_getrusage, A1},
    {SYS_sysinfo, A0},
    {SYS_times, A0},
    {SYS_getuid, 0},
    {SYS_syslog, A1},
    {SYS_getgid, 0},
    {SYS_setuid, 0},
    {SYS_setgid, 0},
    {SYS_geteuid, 0},
    {SYS_getegid, 0},
    {SYS_setpgid, 0},
    {SYS_getppid, 0},
    {SYS_getpgrp, 0},
    {SYS_setsid, 0},
    {SYS_setreuid, 0},
    {SYS_setregid, 0},
    {SYS_getgroups, A1},
    {SYS_setgroups, A1},
    {SYS_setresuid, 0},
    {SYS_getresuid, A0 | A1 | A2},
    {SYS_setresgid, 0},
    {SYS_getresgid, A0 | A1 | A2},
    {SYS_getpgid, 0},
    {SYS_setfsuid, 0},
    {SYS_setfsgid, 0},
    {SYS_getsid, 0},
    {SYS_capget, A0 | A1},
    {SYS_capset, A0 | A1},
    {SYS_rt_sigqueueinfo, A2},
    {SYS_utime, A0 | A1},
    {SYS_mknod, A0},
    {SYS_personality, 0},
    {SYS_statfs, A0 | A1},
    {SYS_fstatfs, A1},
    {SYS_getpriority, 0},
    {SYS_setpriority, 0},
    {SYS_sched_setparam, A1},
    {SYS_sched_getparam, A1},
    {SYS_sched_setscheduler, A2},
    {SYS_sched_getscheduler, 0},
    {SYS_sched_get_priority_max, 0},
    {SYS_sched_get_priority_min, 0},
    {SYS_sched_rr_get_interval, A1},
    {SYS_mlock, A0},
    {SYS_munlock, A0},
    {SYS_mlockall, 0},
    {SYS_munlockall, 0},
    {SYS_setrlimit, A1},
    {SYS_chroot, A0},
    {SYS_sync, 0},
    {SYS_mount, A0 | A1 | A2 | A4},
    {SYS_umount2, A0},
    {SYS_sethostname, A0},
    {SYS_setdomainname, A0},
    {SYS_gettid, 0},
    {SYS_readahead, 0},
    {SYS_setxattr, A0 | A1 | A2},
    {SYS_lsetxattr, A0 | A1 | A2},
    {SYS_fsetxattr, A1 | A2},
    {SYS_getxattr, A0 | A1 | A2},
    {SYS_lgetxattr, A0 | A1 | A2},
    {SYS_fgetxattr, A1 | A2},
    {SYS_listxattr, A0 | A1},
    {SYS_llistxattr, A0 | A1},
    {SYS_flistxattr, A1},
    {SYS_removexattr, A0 | A1},
    {SYS_lremovexattr, A0 | A1},
    {SYS_fremovexattr, A1},
    {SYS_tkill, 0},
    {SYS_time, A0},
    {SYS_futex, 0, x_futex},
    {SYS_sched_setaffinity, A2},
    {SYS_sched_getaffinity, A2},
    {SYS_io_setup, A1},
    {SYS_io_destroy, 0},
    {SYS_io_getevents, 0, x_io_getevents},
    {SYS_io_submit, 0, x_io_submit},
    {SYS_io_cancel, 0, x_io_cancel},
    {SYS_epoll_create, 0},
    {SYS_getdents64, A1},
    {SYS_restart_syscall, 0},
    {SYS_semtimedop, A1 | A3},
    {SYS_fadvise64, 0},
    {SYS_timer_create, A1 | A2},
    {SYS_timer_settime, A2 | A3},
    {SYS_timer_gettime, A1},
    {SYS_timer_getoverrun, 0},
    {SYS_timer_delete, 0},
    {SYS_clock_settime, A1},
    {SYS_clock_gettime, A1},
    {SYS_clock_getres, A1},
    {SYS_clock_nanosleep, A2 | A3},
    {SYS_epoll_wait, A1},
    {SYS_epoll_ctl, A3},
    {SYS_tgkill, 0},
    {SYS_utimes, A0 | A1},
    {SYS_mbind, A0 | A3},
    {SYS_set_mempolicy, A1},
    {SYS_get_mempolicy, A0 | A1 | A3},
    {SYS_mq_open, A0 | A3},
    {SYS_mq_unlink, A0},
    {SYS_mq_timedsend, A1 | A4},
    {SYS_mq_timedreceive, A1 | A3 | A4},
    {SYS_mq_notify, A1},
    {SYS_mq_getsetattr, A1 | A2},
    {SYS_waitid, A2 | A4},
    {SYS_ioprio_set, 0},
    {SYS_ioprio_get, 0},
    {SYS_inotify_init, 0},
    {SYS_inotify_add_watch, A1},
    {SYS_inotify_rm_watch, 0},
    {SYS_mkdirat, A1},
    {SYS_mknodat, A1},
    {SYS_fchownat, A1},
    {SYS_futimesat, A1 | A2},
    {SYS_newfstatat, A1 | A2},
    {SYS_unlinkat, A1},
    {SYS_renameat, A1 | A3},
    {SYS_linkat, A1 | A3},
    {SYS_symlinkat, A0 | A2},
    {SYS_fchmodat, A1},
    {SYS_faccessat, A1},
    {SYS_pselect6, 0, x_pselect6},
    {SYS_ppoll, A0 | A2 | A3},
    {SYS_unshare, 0},
    {SYS_splice, A1 | A3},
    {SYS_tee, 0},
    {SYS_sync_file_range, 0},
    {SYS_vmsplice, 0, nullptr, 1},
    {SYS_utimensat, A1 | A2},
    {SYS_epoll_pwait, A1 | A4},
    {SYS_signalfd, A1},
    {SYS_timerfd_create, 0},
    {SYS_eventfd, 0},
    {SYS_fallocate, 0},
    {SYS_timerfd_settime, A2 | A3},
    {SYS_timerfd_gettime, A1},
    {SYS_accept4, A1 | A2},
    {SYS_signalfd4, A1},
    {SYS_eventfd2, 0},
    {SYS_epoll_create1, 0},
    {SYS_dup3, 0},
    {SYS_pipe2, A0},
    {SYS_inotify_init1, 0},
    {SYS_preadv, 0, nullptr, 1},
    {SYS_pwritev, 0, nullptr, 1},
    {SYS_rt_tgsigqueueinfo, A3},
    {SYS_perf_event_open, A0},
    {SYS_recvmmsg, 0, x_mmsg},
    {SYS_fanotify_init, 0},
    {SYS_fanotify_mark, A4},
    {SYS_prlimit64, A2 | A3},
    {SYS_name_to_handle_at, A1 | A2 | A3},
    {SYS_open_by_handle_at, A1},
    {SYS_clock_adjtime, A1},
    {SYS_syncfs, 0},
    {SYS_sendmmsg, 0, x_mmsg},
    {SYS_setns, 0},
    {SYS_getcpu, A0 | A1 | A2},
    {SYS_process_vm_readv, 0, x_process_vm},
    {SYS_process_vm_writev, 0, x_process_vm},
    {SYS_kcmp, 0, x_kcmp},
    {SYS_sched_setattr, A1},
    {SYS_sched_getattr, A1},
    {SYS_renameat2, A1 | A3},
    {SYS_getrandom, A0},
    {SYS_memfd_create, A0},
    {SYS_membarrier, 0},
    {SYS_mlock2, A0},
    {SYS_copy_file_range, A1 | A3},
    {SYS_preadv2, 0, nullptr, 1},
    {SYS_pwritev2, 0, nullptr, 1},
    {SYS_statx, A1 | A4},
    {SYS_pidfd_send_signal, A2},
    {SYS_pidfd_open, 0},
    {SYS_close_range, 0},
    {SYS_openat2, A1 | A2},
    {SYS_pidfd_getfd, 0},
    {SYS_faccessat2, A1},
    {SYS_epoll_pwait2, A1 | A3 | A4},
    {SYS_futex_waitv, 0, x_futex_waitv},
};

struct Index {
  std::array<int16_t, 512> slot;
  Index() {
    slot.fill(-1);
    for (size_t i = 0; i < std::size(kDefs); ++i) slot[kDefs[i].nr] = static_cast<int16_t>(i);
  }
};

}  // namespace

int64_t translated_syscall(ThreadState *ts, uint64_t nr, const uint64_t a[6]) {
  static const Index index;
  if (nr >= index.slot.size() || index.slot[nr] < 0) return -ENOSYS;
  const PtrDef &d = kDefs[index.slot[nr]];
  if (d.special) return d.special(ts, nr, a);
  if (d.iov >= 0) return with_iov(nr, a, d.mask, d.iov);
  uint64_t h[6];
  for (int k = 0; k < 6; ++k) h[k] = (d.mask >> k) & 1 ? g2h_arg(a[k]) : a[k];
  return call(nr, h);
}

}  // namespace qemu::user
