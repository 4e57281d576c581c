// Guest addresses and host addresses: with -B / QEMU_GUEST_BASE the guest's memory lies at
// host address = guest address + guest_base (0 by default: the same address). Everything that
// turns a guest address into a host pointer goes through g2h, and back through h2g.
#pragma once

#include <cstdint>

namespace qemu::user {

// Set once at startup, before any guest memory exists.
inline uint64_t g_guest_base = 0;
// The end of the guest's usable address space: the 47-bit user space less the base.
inline uint64_t g_guest_limit = 1ull << 47;

inline void *g2h(uint64_t guest) {
  return reinterpret_cast<void *>(guest + g_guest_base);
}
inline uint64_t g2h_addr(uint64_t guest) {
  return guest + g_guest_base;
}
inline uint64_t h2g(uint64_t host) {
  return host - g_guest_base;
}
inline uint64_t h2g(const void *host) {
  return reinterpret_cast<uint64_t>(host) - g_guest_base;
}

// A guest pointer argument of a system call as the host kernel must see it: NULL stays NULL,
// and an address outside the guest's space stays outside every host mapping (-EFAULT).
inline uint64_t g2h_arg(uint64_t guest) {
  if (!guest) return 0;
  return guest < g_guest_limit ? guest + g_guest_base : ~uint64_t{0} - 4095;
}

}  // namespace qemu::user
