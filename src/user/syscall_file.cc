// File system calls that must show the guest's view: /proc/self/exe (the guest program, not
// the emulator), /proc/self/maps (only the guest's mappings), /proc/self/auxv, cmdline and
// stat (proc_stat.h).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "user/guest_addr.h"
#include "user/proc_stat.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

bool read_path(uint64_t addr, std::string *out) {
  if (!g_proc->mem.is_mapped(addr, 1, PROT_READ)) return false;
  *out = static_cast<const char *>(g2h(addr));
  return true;
}

// "/proc/self/<what>" or "/proc/<our pid>/<what>": returns what, else empty.
std::string proc_self_entry(const std::string &path) {
  const std::string self = "/proc/self/";
  const std::string pid = "/proc/" + std::to_string(getpid()) + "/";
  if (path.compare(0, self.size(), self) == 0) return path.substr(self.size());
  if (path.compare(0, pid.size(), pid) == 0) return path.substr(pid.size());
  return {};
}

// A file descriptor reading data (a memfd, rewound).
int64_t fd_with(const std::string &data, int flags) {
  int fd = static_cast<int>(
      syscall(SYS_memfd_create, "qemu-user", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0));
  if (fd < 0) return -errno;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      close(fd);
      return -EIO;
    }
    done += n;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

// The guest's view of special files, or -ENOENT-like "not special" (returns false).
bool open_special(const std::string &path, int flags, int64_t *ret) {
  std::string e = proc_self_entry(path);
  if (e.empty()) return false;
  if (e == "maps") {
    *ret = fd_with(g_proc->mem.format_maps(), flags);
    return true;
  }
  if (e == "auxv") {
    std::string data(static_cast<const char *>(g2h(g_proc->stack.auxv)), g_proc->stack.auxv_len);
    *ret = fd_with(data, flags);
    return true;
  }
  if (e == "exe") {
    *ret = host_syscall(SYS_openat, AT_FDCWD, reinterpret_cast<uint64_t>(g_proc->exe_path.c_str()),
                        flags, 0);
    return true;
  }
  if (e == "stat") {
    *ret = fd_with(guest_proc_stat(), flags);
    return true;
  }
  if (e == "cmdline") {
    std::string data;
    for (const std::string &s : g_proc->guest_argv) {
      data += s;
      data.push_back('\0');
    }
    *ret = fd_with(data, flags);
    return true;
  }
  return false;
}

int64_t readlink_common(int dirfd, const std::string &path, uint64_t buf, uint64_t size, bool at) {
  if (path[0] == '/' && proc_self_entry(path) == "exe") {
    if (static_cast<int64_t>(size) <= 0) return -EINVAL;
    if (!g_proc->mem.is_mapped(buf, size, PROT_WRITE)) return -EFAULT;
    size_t n = std::min<size_t>(size, g_proc->exe_path.size());
    memcpy(g2h(buf), g_proc->exe_path.data(), n);
    return static_cast<int64_t>(n);
  }
  if (at)
    return host_syscall(SYS_readlinkat, dirfd, reinterpret_cast<uint64_t>(path.c_str()),
                        g2h_arg(buf), size);
  return host_syscall(SYS_readlink, reinterpret_cast<uint64_t>(path.c_str()), g2h_arg(buf), size);
}

// -L: an absolute path that exists under the prefix is opened there (QEMU's path remapping),
// so an interpreter from a sysroot finds that sysroot's libraries.
const char *remap(const std::string &path, std::string *buf) {
  static const bool have_prefix = [] {
    const std::string &p = g_proc->opts.ld_prefix;
    return !p.empty() && p != "/" && access(p.c_str(), F_OK) == 0;
  }();
  if (!have_prefix || path.empty() || path[0] != '/') return nullptr;
  *buf = g_proc->opts.ld_prefix + path;
  return access(buf->c_str(), F_OK) == 0 ? buf->c_str() : nullptr;
}

}  // namespace

SYSCALL_HANDLER(open) {
  (void)ts;
  std::string path;
  if (!read_path(a[0], &path)) return -EFAULT;
  int64_t r;
  if (open_special(path, static_cast<int>(a[1]), &r)) return r;
  std::string buf;
  if (const char *p = remap(path, &buf))
    return host_syscall(SYS_open, reinterpret_cast<uint64_t>(p), a[1], a[2]);
  return host_syscall(SYS_open, reinterpret_cast<uint64_t>(path.c_str()), a[1], a[2]);
}

SYSCALL_HANDLER(openat) {
  (void)ts;
  std::string path;
  if (!read_path(a[1], &path)) return -EFAULT;
  int64_t r;
  if (path[0] == '/' && open_special(path, static_cast<int>(a[2]), &r)) return r;
  std::string buf;
  if (const char *p = remap(path, &buf))
    return host_syscall(SYS_openat, a[0], reinterpret_cast<uint64_t>(p), a[2], a[3]);
  return host_syscall(SYS_openat, a[0], reinterpret_cast<uint64_t>(path.c_str()), a[2], a[3]);
}

SYSCALL_HANDLER(readlink) {
  (void)ts;
  std::string path;
  if (!read_path(a[0], &path)) return -EFAULT;
  return readlink_common(AT_FDCWD, path, a[1], a[2], false);
}

SYSCALL_HANDLER(readlinkat) {
  (void)ts;
  std::string path;
  if (!read_path(a[1], &path)) return -EFAULT;
  return readlink_common(static_cast<int>(a[0]), path, a[2], a[3], true);
}

}  // namespace qemu::user
