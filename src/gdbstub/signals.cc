#include "gdbstub/signals.h"

namespace qemu::gdbstub {

namespace {

// Index: the Linux signal 1..31; value: gdb's number (0: none).
constexpr int kToGdb[32] = {
    0,
    1,   // SIGHUP
    2,   // SIGINT
    3,   // SIGQUIT
    4,   // SIGILL
    5,   // SIGTRAP
    6,   // SIGABRT
    10,  // SIGBUS
    8,   // SIGFPE
    9,   // SIGKILL
    30,  // SIGUSR1
    11,  // SIGSEGV
    31,  // SIGUSR2
    13,  // SIGPIPE
    14,  // SIGALRM
    15,  // SIGTERM
    0,   // SIGSTKFLT
    20,  // SIGCHLD
    19,  // SIGCONT
    17,  // SIGSTOP
    18,  // SIGTSTP
    21,  // SIGTTIN
    22,  // SIGTTOU
    16,  // SIGURG
    24,  // SIGXCPU
    25,  // SIGXFSZ
    26,  // SIGVTALRM
    27,  // SIGPROF
    28,  // SIGWINCH
    23,  // SIGIO
    32,  // SIGPWR
    12,  // SIGSYS
};

// gdb's real-time signals: 32 is GDB_SIGNAL_REALTIME_32 (77), 33..63 are 45..75, 64 is 78.
constexpr int kRt32 = 77, kRt33 = 45, kRt64 = 78;

}  // namespace

int gdb_signal_from_linux(int sig) {
  if (sig > 0 && sig < 32) return kToGdb[sig] ? kToGdb[sig] : kGdbSignalUnknown;
  if (sig == 32) return kRt32;
  if (sig >= 33 && sig <= 63) return kRt33 + (sig - 33);
  if (sig == 64) return kRt64;
  return kGdbSignalUnknown;
}

int linux_signal_from_gdb(int gdb_sig) {
  if (gdb_sig <= 0) return 0;
  for (int s = 1; s < 32; s++) {
    if (kToGdb[s] == gdb_sig) return s;
  }
  if (gdb_sig == kRt32) return 32;
  if (gdb_sig >= kRt33 && gdb_sig <= kRt33 + 30) return 33 + (gdb_sig - kRt33);
  if (gdb_sig == kRt64) return 64;
  return 0;
}

}  // namespace qemu::gdbstub
