#include "user/guest_mmap.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>

#include "user/guest_addr.h"
#include "user/syscall_table.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

// The lowest guest address we hand out ourselves (the kernel's mmap_min_addr natively).
constexpr uint64_t kGuestFloor = 0x10000;

bool failed(int64_t r) {
  return r < 0 && r >= -4095;
}

}  // namespace

void reserve_host_mappings(GuestMemoryMap *mem) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const std::vector<GuestMapping> guest = mem->mappings();
  while (std::getline(maps, line)) {
    uint64_t start, end;
    if (sscanf(line.c_str(), "%lx-%lx", &start, &end) != 2) continue;
    // In guest addresses, clipped to the guest's space.
    if (end <= g_guest_base || start >= kUserSpaceEnd) continue;
    start = h2g(std::max(start, g_guest_base));
    end = std::min(h2g(end), g_guest_limit);
    if (start >= end) continue;
    // The parts no guest mapping covers (the kernel merges neighbouring mappings).
    for (const GuestMapping &m : guest) {
      if (m.end <= start || m.start >= end) continue;
      if (m.start > start) mem->reserve_host(start, m.start);
      start = std::max(start, m.end);
    }
    if (start < end) mem->reserve_host(start, end);
  }
}

bool host_in_guest_space(uint64_t host, uint64_t len) {
  const uint64_t g = host - g_guest_base;
  return host >= g_guest_base && g >= (g_guest_base ? kGuestFloor : 0) && g <= g_guest_limit &&
         len <= g_guest_limit - g;
}

uint64_t reserve_guest_range(uint64_t hint, uint64_t len, uint64_t limit) {
  len = page_up(len);
  uint64_t a = std::max(hint, kGuestFloor);
  for (int tries = 0; tries < 64; ++tries) {
    a = g_proc->mem.find_free(a, len, limit);
    if (!a) return 0;
    const int64_t r =
        host_syscall(SYS_mmap, g2h_addr(a), len, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                     static_cast<uint64_t>(-1), 0);
    if (!failed(r) && static_cast<uint64_t>(r) == g2h_addr(a)) return a;
    if (!failed(r)) host_syscall(SYS_munmap, r, len);
    if (r != -EEXIST) return 0;
    // Something of ours the map does not know yet (a thread stack, an allocator arena).
    reserve_host_mappings(&g_proc->mem);
    a += kPageSize;
  }
  return 0;
}

int64_t mmap_guest(uint64_t hint, uint64_t len, int prot, int flags, int fd, uint64_t offset) {
  if (!g_guest_base)
    return host_syscall(SYS_mmap, hint, len, prot, flags, static_cast<uint64_t>(fd), offset);
  // A hint below mmap_min_addr is no hint, as natively.
  if (hint < kGuestFloor) hint = 0;
  const uint64_t limit = (flags & MAP_32BIT) ? 0x80000000ull : 0;
  flags &= ~(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_32BIT);
  int64_t r = host_syscall(SYS_mmap, hint ? g2h_arg(hint) : 0, len, prot, flags,
                           static_cast<uint64_t>(fd), offset);
  if (failed(r)) return r;
  if (!limit && host_in_guest_space(r, len)) return static_cast<int64_t>(h2g(r));
  host_syscall(SYS_munmap, r, len);
  uint64_t a = reserve_guest_range(hint ? hint : kGuestFloor, len, limit);
  if (!a && hint) a = reserve_guest_range(kGuestFloor, len, limit);
  if (!a) return -ENOMEM;
  r = host_syscall(SYS_mmap, g2h_addr(a), len, prot, flags | MAP_FIXED, static_cast<uint64_t>(fd),
                   offset);
  if (failed(r)) {
    host_syscall(SYS_munmap, g2h_addr(a), len);
    return r;
  }
  return static_cast<int64_t>(a);
}

}  // namespace qemu::user
