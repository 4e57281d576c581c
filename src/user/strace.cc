// -strace output in QEMU's format: "<pid> name(arg,arg,...) = result", errors as
// " = -1 errno=N (message)". Argument formats (one letter per argument in the table):
//   d signed decimal   u unsigned decimal   x hex          p pointer (NULL or 0x%016x)
//   s string           o open flags         O octal mode   P mmap prot   M mmap flags
//   A access mode      F futex op           I ioctl req    S signal      H sigprocmask how
//   T at flags         C clone flags        R arch_prctl code
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asm/prctl.h>
#include <fmt/core.h>
#include <sched.h>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "user/guest_addr.h"
#include "user/syscall_table.h"

namespace qemu::user {

namespace {

struct Flag {
  uint64_t value;
  const char *name;
};

#define F(x) \
  { x, #x }

const Flag kOpenFlags[] = {
    F(O_APPEND),
    F(O_CREAT),
    F(O_EXCL),
    F(O_NOCTTY),
    F(O_TRUNC),
    F(O_NONBLOCK),
    F(O_DSYNC),
    F(O_ASYNC),
    F(O_DIRECT),
    F(O_LARGEFILE),
    F(O_DIRECTORY),
    F(O_NOFOLLOW),
    F(O_NOATIME),
    F(O_CLOEXEC),
    {04000000, "O_SYNC"},
    F(O_PATH),
    {020000000, "O_TMPFILE"},
};
const Flag kProt[] = {F(PROT_EXEC), F(PROT_READ), F(PROT_WRITE), F(PROT_GROWSDOWN),
                      F(PROT_GROWSUP)};
const Flag kMmapFlags[] = {
    F(MAP_SHARED),    F(MAP_PRIVATE),         F(MAP_ANONYMOUS),       F(MAP_DENYWRITE),
    F(MAP_FIXED),     F(MAP_GROWSDOWN),       F(MAP_EXECUTABLE),      F(MAP_LOCKED),
    F(MAP_NORESERVE), F(MAP_POPULATE),        F(MAP_NONBLOCK),        F(MAP_STACK),
    F(MAP_HUGETLB),   F(MAP_FIXED_NOREPLACE), F(MAP_SHARED_VALIDATE), F(MAP_SYNC),
};
const Flag kAccess[] = {F(R_OK), F(W_OK), F(X_OK)};
const Flag kAtFlags[] = {F(AT_EMPTY_PATH),     F(AT_NO_AUTOMOUNT),     F(AT_REMOVEDIR),
                         F(AT_SYMLINK_FOLLOW), F(AT_SYMLINK_NOFOLLOW), F(AT_EACCESS)};
const Flag kStatxMask[] = {
    {0x1, "STATX_TYPE"},      {0x2, "STATX_MODE"},     {0x4, "STATX_NLINK"},
    {0x8, "STATX_UID"},       {0x10, "STATX_GID"},     {0x20, "STATX_ATIME"},
    {0x40, "STATX_MTIME"},    {0x80, "STATX_CTIME"},   {0x100, "STATX_INO"},
    {0x200, "STATX_SIZE"},    {0x400, "STATX_BLOCKS"}, {0x800, "STATX_BTIME"},
    {0x1000, "STATX_MNT_ID"},
};
const Flag kCloneFlags[] = {
    F(CLONE_VM),
    F(CLONE_FS),
    F(CLONE_FILES),
    F(CLONE_SIGHAND),
    F(CLONE_PIDFD),
    F(CLONE_PTRACE),
    F(CLONE_VFORK),
    F(CLONE_PARENT),
    F(CLONE_THREAD),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_SETTLS),
    F(CLONE_PARENT_SETTID),
    F(CLONE_CHILD_CLEARTID),
    F(CLONE_DETACHED),
    F(CLONE_UNTRACED),
    F(CLONE_CHILD_SETTID),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    F(CLONE_IO),
};
const Flag kIoctls[] = {F(TCGETS),     F(TCSETS),     F(TCSETSW),   F(TCSETSF),
                        F(TIOCGWINSZ), F(TIOCSWINSZ), F(TIOCGPGRP), F(TIOCSPGRP),
                        F(FIONREAD),   F(FIONBIO),    F(FIOCLEX),   F(FIONCLEX)};
const Flag kArchPrctl[] = {F(ARCH_SET_GS), F(ARCH_SET_FS), F(ARCH_GET_FS), F(ARCH_GET_GS)};
const Flag kHow[] = {F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK)};
const Flag kFutexOps[] = {F(FUTEX_WAIT),           F(FUTEX_WAKE),        F(FUTEX_FD),
                          F(FUTEX_REQUEUE),        F(FUTEX_CMP_REQUEUE), F(FUTEX_WAKE_OP),
                          F(FUTEX_LOCK_PI),        F(FUTEX_UNLOCK_PI),   F(FUTEX_TRYLOCK_PI),
                          F(FUTEX_WAIT_BITSET),    F(FUTEX_WAKE_BITSET), F(FUTEX_WAIT_REQUEUE_PI),
                          F(FUTEX_CMP_REQUEUE_PI), F(FUTEX_LOCK_PI2)};
#undef F

template <size_t N>
std::string flags(uint64_t v, const Flag (&table)[N]) {
  std::string s;
  for (const Flag &f : table) {
    if (f.value && (v & f.value) == f.value) {
      if (!s.empty()) s += '|';
      s += f.name;
      v &= ~f.value;
    }
  }
  if (v || s.empty()) {
    if (!s.empty()) s += '|';
    s += fmt::format("{:#x}", v);
    if (s == "0x0") s = "0";
  }
  return s;
}

template <size_t N>
std::string value_name(uint64_t v, const Flag (&table)[N]) {
  for (const Flag &f : table)
    if (f.value == v) return f.name;
  return fmt::format("{}", static_cast<int64_t>(v));
}

std::string pointer(uint64_t v) {
  return v ? fmt::format("0x{:016x}", v) : "NULL";
}

// A guest string; unreadable memory gives the pointer.
std::string guest_string(uint64_t addr) {
  if (!addr) return "NULL";
  // process_vm_readv never faults: read in pieces up to a NUL.
  std::string s;
  char buf[256];
  while (s.size() < 4096) {
    struct iovec local = {buf, sizeof buf};
    // Stop at page ends so an unmapped next page doesn't fail the whole read.
    uint64_t chunk = std::min<uint64_t>(sizeof buf, 4096 - ((addr + s.size()) & 4095));
    struct iovec remote = {g2h(addr + s.size()), chunk};
    local.iov_len = chunk;
    ssize_t n = syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
    if (n <= 0) return s.empty() ? pointer(addr) : "\"" + s + "\"...";
    size_t len = strnlen(buf, n);
    s.append(buf, len);
    if (len < static_cast<size_t>(n)) break;
  }
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + char(c);
    else if (c < 32 || c >= 127)
      out += fmt::format("\\{:o}", c);
    else
      out += char(c);
  }
  return out + "\"";
}

std::string signal_name(uint64_t sig) {
  const char *n = sig > 0 && sig < 32 ? sigabbrev_np(static_cast<int>(sig)) : nullptr;
  if (n) return std::string("SIG") + n;
  return fmt::format("{}", sig);
}

std::string format_arg(char f, uint64_t v) {
  switch (f) {
    case 'd':
      // An int passed in a 64-bit register (fd -1, AT_FDCWD) has its upper half clear.
      if ((v >> 31) == 1) return fmt::format("{}", static_cast<int32_t>(v));
      return fmt::format("{}", static_cast<int64_t>(v));
    case 'i':
      return fmt::format("{}", static_cast<int32_t>(v));
    case 'u':
      return fmt::format("{}", v);
    case 'x':
      return v ? fmt::format("{:#x}", v) : "0";
    case 'X':
      return flags(v, kStatxMask);
    case 'p':
      return pointer(v);
    case 's':
      return guest_string(v);
    case 'o': {
      std::string acc = (v & O_ACCMODE) == O_RDONLY   ? "O_RDONLY"
                        : (v & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
                        : (v & O_ACCMODE) == O_RDWR   ? "O_RDWR"
                                                      : "3";
      uint64_t rest = v & ~uint64_t(O_ACCMODE);
      return rest ? acc + "|" + flags(rest, kOpenFlags) : acc;
    }
    case 'O':
      return fmt::format("0{:o}", v);
    case 'P':
      return v ? flags(v, kProt) : "PROT_NONE";
    case 'M':
      return flags(v, kMmapFlags);
    case 'A':
      return v ? flags(v, kAccess) : "F_OK";
    case 'T':
      return flags(v, kAtFlags);
    case 'C':
      return flags(v & ~uint64_t(0xff), kCloneFlags) +
             ((v & 0xff) ? "|" + signal_name(v & 0xff) : "");
    case 'I':
      return value_name(v, kIoctls);
    case 'R':
      return value_name(v, kArchPrctl);
    case 'H':
      return value_name(v, kHow);
    case 'S':
      return signal_name(v);
    case 'F': {
      std::string s;
      if (v & FUTEX_PRIVATE_FLAG) s += "FUTEX_PRIVATE_FLAG|";
      if (v & FUTEX_CLOCK_REALTIME) s += "FUTEX_CLOCK_REALTIME|";
      return s + value_name(v & FUTEX_CMD_MASK, kFutexOps);
    }
  }
  return fmt::format("{}", static_cast<int64_t>(v));
}

}  // namespace

std::string strace_call(uint64_t nr, const uint64_t a[6]) {
  const char *name = syscall_name(nr);
  if (!name) return fmt::format("Unknown syscall {}", nr);
  const SyscallDef *def = find_syscall(nr);
  std::string s = std::string(name) + "(";
  if (!def || !def->args) {
    for (int i = 0; i < 6; ++i) s += fmt::format("{}{}", i ? "," : "", static_cast<int64_t>(a[i]));
  } else {
    for (int i = 0; def->args[i] && i < 6; ++i) {
      // open's mode only matters (and is printed) with O_CREAT or O_TMPFILE.
      if (def->args[i] == 'O' && i && def->args[i - 1] == 'o' &&
          !(a[i - 1] & (O_CREAT | 020000000)))
        break;
      if (i) s += ',';
      s += format_arg(def->args[i], a[i]);
    }
  }
  return s + ")";
}

std::string strace_signal(int sig, const siginfo_t &info) {
  std::string name = signal_name(static_cast<uint64_t>(sig));
  std::string code;
  switch (info.si_code) {
    case SI_USER:
      code = "SI_USER";
      break;
    case SI_KERNEL:
      code = "SI_KERNEL";
      break;
    case SI_QUEUE:
      code = "SI_QUEUE";
      break;
    case SI_TIMER:
      code = "SI_TIMER";
      break;
    case SI_MESGQ:
      code = "SI_MESGQ";
      break;
    case SI_ASYNCIO:
      code = "SI_ASYNCIO";
      break;
    case SI_SIGIO:
      code = "SI_SIGIO";
      break;
    case SI_TKILL:
      code = "SI_TKILL";
      break;
    default:
      code = fmt::format("{}", info.si_code);
  }
  bool fault =
      info.si_code > 0 && info.si_code != SI_KERNEL &&
      (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP);
  std::string rest =
      fault ? fmt::format("si_addr=0x{:016x}", reinterpret_cast<uint64_t>(info.si_addr))
            : fmt::format("si_pid={}, si_uid={}", info.si_pid, info.si_uid);
  return fmt::format("--- {} {{si_signo={}, si_code={}, {}}} ---\n", name, name, code, rest);
}

std::string strace_result(uint64_t nr, int64_t ret) {
  if (ret < 0 && ret >= -4095) {
    return fmt::format(" = -1 errno={} ({})\n", -ret, strerror(static_cast<int>(-ret)));
  }
  const SyscallDef *def = find_syscall(nr);
  char r = def ? def->ret : 'd';
  if (r == 'p') return fmt::format(" = 0x{:016x}\n", static_cast<uint64_t>(ret));
  if (r == 'x') return fmt::format(" = {:#x}\n", static_cast<uint64_t>(ret));
  return fmt::format(" = {}\n", ret);
}

}  // namespace qemu::user
