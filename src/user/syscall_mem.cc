// Memory system calls: passed to the host (at guest address + guest base, guest_addr.h) with
// the guest's view recorded in the GuestMemoryMap, the emulator's own mappings kept out of
// reach, and translated code dropped when its pages change.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "jit/exec/engine.h"
#include "user/code_alias.h"
#include "user/guest_addr.h"
#include "user/guest_mmap.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

std::string fd_path(int fd) {
  char link[64], buf[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::string(buf, n);
}

// Drops translated code from pages in [start, start+len) and forgets they held code.
void drop_code(uint64_t start, uint64_t len) {
  GuestMemoryMap &mem = g_proc->mem;
  bool any = false;
  for (uint64_t p = page_down(start); p < start + len; p += kPageSize) {
    if (mem.is_code_page(p)) {
      mem.set_code_page(p, false);
      any = true;
    }
    mem.set_wants_write(p, false);
  }
  if (any && g_proc->engine) g_proc->engine->invalidate(page_down(start), page_up(start + len));
  forget_aliases(page_down(start), page_up(start + len) - page_down(start));
}

// mprotect keeping pages with translated code read-only on the host.
int64_t protect_range(uint64_t start, uint64_t len, int prot) {
  GuestMemoryMap &mem = g_proc->mem;
  int64_t r = host_syscall(SYS_mprotect, g2h_addr(start), len, prot);
  if (r < 0) return r;
  if (prot & PROT_WRITE) {
    for (uint64_t p = page_down(start); p < start + len; p += kPageSize) {
      if (mem.is_code_page(p)) {
        mem.set_wants_write(p, true);
        host_syscall(SYS_mprotect, g2h_addr(p), kPageSize, prot & ~PROT_WRITE);
      }
    }
  } else {
    for (uint64_t p = page_down(start); p < start + len; p += kPageSize)
      mem.set_wants_write(p, false);
  }
  return r;
}

bool bad_range(uint64_t start, uint64_t len) {
  return start + len < start || start + len > g_guest_limit;
}

// Whether [start, start+len) holds host memory that is not the guest's: the ranges known at
// startup, and anything we mapped since (thread stacks, allocator arenas): pages the guest map
// doesn't have that the kernel says are mapped.
bool touches_emulator(uint64_t start, uint64_t len) {
  GuestMemoryMap &mem = g_proc->mem;
  uint64_t end = page_up(start + len);
  start = page_down(start);
  if (mem.overlaps_host(start, end - start)) return true;
  if (mem.is_mapped(start, end - start)) return false;
  for (uint64_t p = start; p < end; p += kPageSize) {
    if (mem.prot_at(p) >= 0) continue;
    if (host_syscall(SYS_msync, g2h_addr(p), kPageSize, MS_ASYNC) == 0)
      return true;  // mapped, not ours
  }
  return false;
}

}  // namespace

SYSCALL_HANDLER(mmap) {
  (void)ts;
  uint64_t addr = a[0], len = a[1];
  int prot = static_cast<int>(a[2]), flags = static_cast<int>(a[3]);
  int fd = static_cast<int>(a[4]);
  const bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  if (fixed) {
    if (bad_range(addr, len)) return -ENOMEM;
    // Below the kernel's mmap_min_addr, as natively (the host address is above it).
    if (g_guest_base && addr < 0x10000) return -EPERM;
    if (g_proc->mem.overlaps_host(addr, page_up(len))) return -ENOMEM;
  }
  std::lock_guard<std::mutex> lock(g_proc->mm_mu);
  int64_t r;
  if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE)) {
    // Into free space, or over the guest's own pages only.
    r = host_syscall(SYS_mmap, g2h_addr(addr), len, prot,
                     (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE, a[4], a[5]);
    if (r == -EEXIST) {
      if (touches_emulator(addr, len)) return -ENOMEM;
      r = host_syscall(SYS_mmap, g2h_addr(addr), len, prot, flags, a[4], a[5]);
    }
  } else if (fixed) {
    r = host_syscall(SYS_mmap, g2h_addr(addr), len, prot, flags, a[4], a[5]);
  } else {
    r = mmap_guest(addr, len, prot, flags, fd, a[5]);
  }
  if (r < 0 && r >= -4095) return r;
  const uint64_t got = fixed ? h2g(static_cast<uint64_t>(r)) : static_cast<uint64_t>(r);
  drop_code(got, len);
  if (prot & PROT_EXEC) drop_fetch_fault_blocks(got, len);
  std::string name = (flags & MAP_ANONYMOUS) ? std::string() : fd_path(fd);
  // A shared file mapping may show pages another mapping runs as code (code_alias.h).
  struct stat st {};
  const bool shared_file = (flags & MAP_SHARED) && !(flags & MAP_ANONYMOUS) && fstat(fd, &st) == 0;
  g_proc->mem.map(got, len, prot, flags, (flags & MAP_ANONYMOUS) ? 0 : a[5], name,
                  shared_file ? st.st_dev : 0, shared_file ? st.st_ino : 0);
  if (shared_file) protect_new_aliases(got, len);
  return static_cast<int64_t>(got);
}

SYSCALL_HANDLER(munmap) {
  (void)ts;
  if (bad_range(a[0], a[1])) return -EINVAL;
  std::lock_guard<std::mutex> lock(g_proc->mm_mu);
  if (touches_emulator(a[0], a[1])) return -EINVAL;
  int64_t r = host_syscall(SYS_munmap, g2h_addr(a[0]), a[1]);
  if (r == 0) {
    drop_code(a[0], a[1]);
    g_proc->mem.unmap(a[0], a[1]);
  }
  return r;
}

SYSCALL_HANDLER(mprotect) {
  (void)ts;
  if (bad_range(a[0], a[1])) return -ENOMEM;
  std::lock_guard<std::mutex> lock(g_proc->mm_mu);
  if (touches_emulator(a[0], a[1])) return -ENOMEM;
  int prot = static_cast<int>(a[2]);
  int64_t r = protect_range(a[0], a[1], prot);
  if (r == 0) g_proc->mem.protect(a[0], a[1], prot & ~(PROT_GROWSDOWN | PROT_GROWSUP));
  if (r == 0 && (prot & PROT_EXEC)) drop_fetch_fault_blocks(a[0], a[1]);
  return r;
}

SYSCALL_HANDLER(mremap) {
  (void)ts;
  uint64_t old_addr = a[0], old_len = a[1], new_len = a[2], flags = a[3], new_addr = a[4];
  if (bad_range(old_addr, old_len)) return -EINVAL;
  if (g_proc->mem.overlaps_host(old_addr, page_up(old_len))) return -EINVAL;
  if ((flags & MREMAP_FIXED) && bad_range(new_addr, new_len)) return -ENOMEM;
  std::lock_guard<std::mutex> lock(g_proc->mm_mu);
  if (touches_emulator(old_addr, old_len) ||
      ((flags & MREMAP_FIXED) && touches_emulator(new_addr, new_len)))
    return -EINVAL;
  int prot = g_proc->mem.prot_at(old_addr);
  std::vector<GuestMapping> maps = g_proc->mem.mappings();
  GuestMapping old{};
  for (auto &m : maps)
    if (m.start <= old_addr && old_addr < m.end) old = m;
  int64_t r = host_syscall(SYS_mremap, g2h_addr(old_addr), old_len, new_len, flags,
                           (flags & MREMAP_FIXED) ? g2h_addr(new_addr) : new_addr);
  if (r < 0 && r >= -4095) return r;
  if (!host_in_guest_space(static_cast<uint64_t>(r), new_len)) {
    // Moved where the guest cannot see it: on to a free guest range.
    const uint64_t to = reserve_guest_range(0, new_len);
    const int64_t m = to ? host_syscall(SYS_mremap, r, new_len, new_len,
                                        MREMAP_MAYMOVE | MREMAP_FIXED, g2h_addr(to))
                         : -ENOMEM;
    if (m < 0 && m >= -4095) {
      // Give it back where it was, as far as the kernel lets us.
      host_syscall(SYS_mremap, r, new_len, old_len, MREMAP_MAYMOVE | MREMAP_FIXED,
                   g2h_addr(old_addr));
      return -ENOMEM;
    }
    r = m;
  }
  uint64_t got = h2g(static_cast<uint64_t>(r));
  drop_code(old_addr, old_len);
  if (!(flags & MREMAP_DONTUNMAP)) g_proc->mem.unmap(old_addr, old_len);
  drop_code(got, new_len);
  g_proc->mem.map(got, new_len, prot < 0 ? PROT_READ | PROT_WRITE : prot, old.flags,
                  old.offset + (old_addr - old.start), old.name, old.dev, old.ino);
  if (old.ino) protect_new_aliases(got, new_len);
  return static_cast<int64_t>(got);
}

SYSCALL_HANDLER(madvise) {
  (void)ts;
  if (bad_range(a[0], a[1]) || g_proc->mem.overlaps_host(a[0], page_up(a[1]))) return -EINVAL;
  int64_t r = host_syscall(SYS_madvise, g2h_addr(a[0]), a[1], a[2]);
  if (r == 0 && (a[2] == MADV_DONTNEED || a[2] == MADV_REMOVE || a[2] == MADV_FREE))
    drop_code(a[0], a[1]);
  return r;
}

SYSCALL_HANDLER(shmat) {
  (void)ts;
  if (a[1] && g_proc->mem.overlaps_host(a[1], 1)) return -EINVAL;
  int64_t r = host_syscall(SYS_shmat, a[0], a[1] ? g2h_arg(a[1]) : 0, a[2]);
  if (r < 0 && r >= -4095) return r;
  struct shmid_ds ds;
  const bool have_ds = shmctl(static_cast<int>(a[0]), IPC_STAT, &ds) == 0;
  if (have_ds && !host_in_guest_space(static_cast<uint64_t>(r), ds.shm_segsz)) {
    // Attached where the guest cannot see it: again, over a free guest range.
    host_syscall(SYS_shmdt, r);
    const uint64_t to = reserve_guest_range(0, ds.shm_segsz);
    if (!to) return -ENOMEM;
    r = host_syscall(SYS_shmat, a[0], g2h_addr(to), a[2] | SHM_REMAP);
    if (r < 0 && r >= -4095) {
      host_syscall(SYS_munmap, g2h_addr(to), page_up(ds.shm_segsz));
      return r;
    }
  }
  r = static_cast<int64_t>(h2g(static_cast<uint64_t>(r)));
  if (have_ds) {
    int prot = (a[2] & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
    if (a[2] & SHM_EXEC) prot |= PROT_EXEC;
    drop_code(r, ds.shm_segsz);
    g_proc->mem.map(r, ds.shm_segsz, prot, MAP_SHARED, 0, "SYSV");
  }
  return r;
}

SYSCALL_HANDLER(brk) {
  (void)ts;
  Process &p = *g_proc;
  std::lock_guard<std::mutex> lock(p.mm_mu);
  uint64_t want = a[0];
  if (want < p.brk_start) return p.brk_cur;
  uint64_t need_end = page_up(want);
  if (need_end > p.brk_mapped_end) {
    if (need_end > g_guest_limit ||
        p.mem.overlaps_host(p.brk_mapped_end, need_end - p.brk_mapped_end))
      return p.brk_cur;
    int64_t r = host_syscall(SYS_mmap, g2h_addr(p.brk_mapped_end), need_end - p.brk_mapped_end,
                             PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (r < 0 && r >= -4095) return p.brk_cur;
    if (static_cast<uint64_t>(r) != g2h_addr(p.brk_mapped_end)) {
      host_syscall(SYS_munmap, r, need_end - p.brk_mapped_end);
      return p.brk_cur;
    }
    p.mem.map(p.brk_mapped_end, need_end - p.brk_mapped_end, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS, 0, "[heap]");
    p.brk_mapped_end = need_end;
  } else if (need_end < p.brk_mapped_end) {
    drop_code(need_end, p.brk_mapped_end - need_end);
    host_syscall(SYS_munmap, g2h_addr(need_end), p.brk_mapped_end - need_end);
    p.mem.unmap(need_end, p.brk_mapped_end - need_end);
    p.brk_mapped_end = need_end;
  }
  p.brk_cur = want;
  return want;
}

}  // namespace qemu::user
