// gdb's view of an x86-64 CPU in user mode: the register numbering QEMU 7.2 offers gdb
// (rax..r15, rip, eflags, the six selectors, fs_base, gs_base, k_gs_base, cr0/2/3/4/8, efer,
// st0-7, the eight x87 control registers, xmm0-15, mxcsr) read from and written to a CpuX86.
#pragma once

#include <string>
#include <string_view>

#include "target/x86/cpu.h"

namespace qemu::gdbstub {

inline constexpr int kX86_64NumRegs = 66;

// Appends register n's bytes (little endian) to out; returns its size, 0 when there is none.
int x86_64_read_register(const x86::CpuX86 &cpu, int n, std::string *out);
// Writes register n from data (its full size); returns the size, 0 when there is none.
// Selectors and control registers are accepted and ignored (user mode), as in QEMU.
int x86_64_write_register(x86::CpuX86 &cpu, int n, std::string_view data);

// qXfer:features:read documents: "target.xml" and the "i386-64bit.xml" it includes
// (x86_64_xml.cc).
const char *x86_64_target_xml(std::string_view annex);

}  // namespace qemu::gdbstub
