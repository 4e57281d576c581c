// -B / QEMU_GUEST_BASE: where guest address 0 lies in the host. QEMU 7.2's checks of the value
// (alignment, and the main program's span being free at the host addresses it asks for).
#pragma once

#include <cstdint>
#include <string>

namespace qemu::user {

// Checks base for program as QEMU 7.2 does. Returns -1 when it may be used, else prints
// QEMU's message and returns the exit status. An unreadable or invalid image passes (the
// loader reports it).
int check_guest_base(uint64_t base, const std::string &program);

// Makes base the guest base (g_guest_base, g_guest_limit).
void set_guest_base(uint64_t base);

}  // namespace qemu::user
