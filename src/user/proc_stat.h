// /proc/self/stat as the guest sees it: the host's line (times, counts, the guest program's
// name as comm) with the address fields describing the guest's image, stack, heap, arguments
// and environment rather than the emulator's.
#pragma once

#include <string>

namespace qemu::user {

std::string guest_proc_stat();

}  // namespace qemu::user
