// -R (QEMU_RESERVED_VA) for an x86-64 guest. QEMU 7.2 cannot run any x86-64 program with a
// reserved guest address space (its vsyscall page at the top of the address space is outside
// every reservation), and says why in one of three ways; we give the same answers.
#pragma once

#include <cstdint>
#include <string>

namespace qemu::user {

// For reserved_va != 0: prints QEMU 7.2's message for program and returns its exit status.
int refuse_reserved_va(uint64_t reserved_va, const std::string &program);

}  // namespace qemu::user
