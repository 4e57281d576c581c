// Placing guest mappings where the guest can address them. With a guest base the host kernel's
// choice of address (mmap without MAP_FIXED, mremap moving a mapping, shmat) may fall outside
// [guest_base, guest_base + guest limit), or below the base; such results are moved to a free
// place the guest map knows of.
#pragma once

#include <cstdint>

namespace qemu::user {

// mmap without MAP_FIXED: at the guest address hint when it is free, else where the kernel
// chooses (base 0) or anywhere inside the guest's space. Returns the guest address, or -errno.
int64_t mmap_guest(uint64_t hint, uint64_t len, int prot, int flags, int fd, uint64_t offset);

// Whether the host range [host, host + len) is guest memory's (addressable by the guest).
bool host_in_guest_space(uint64_t host, uint64_t len);

// A free guest range of len bytes (page aligned) at or above hint (below limit; 0: the end of
// the guest space) that the host also has free, reserved there with PROT_NONE; 0: none.
uint64_t reserve_guest_range(uint64_t hint, uint64_t len, uint64_t limit = 0);

class GuestMemoryMap;
// Records every host mapping the guest map does not hold (the emulator's binary, libraries,
// heap, JIT buffer, thread stacks) as a range the guest may not use.
void reserve_host_mappings(GuestMemoryMap *mem);

}  // namespace qemu::user
