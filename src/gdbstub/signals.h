// Linux signal numbers and gdb's own signal numbering (gdb/signals.def) both ways.
#pragma once

namespace qemu::gdbstub {

inline constexpr int kGdbSignalTrap = 5;
inline constexpr int kGdbSignalUnknown = 143;

// A Linux (x86) signal number as gdb numbers it; kGdbSignalUnknown when it has none.
int gdb_signal_from_linux(int sig);
// gdb's number back to Linux's; 0 when it has none.
int linux_signal_from_gdb(int gdb_sig);

}  // namespace qemu::gdbstub
