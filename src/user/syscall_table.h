// The system call table: for each x86-64 Linux system call we support, how it is run (straight
// through to the host kernel, or by our handler) and how -strace prints it. Calls not in the
// table get -ENOSYS (logged once with -d unimp).
#pragma once

#include <csignal>
#include <cstdint>
#include <string>

namespace qemu::user {

struct ThreadState;

using SyscallHandler = int64_t (*)(ThreadState *ts, const uint64_t a[6]);

struct SyscallDef {
  uint16_t nr;
  SyscallHandler handler;  // null: pass through to the host
  // -strace argument formats, one letter each (see strace.cc); null: six decimal arguments.
  const char *args;
  char ret;  // 'd' decimal, 'p' address, 'n' no return (exit), 'x' hex
};

const SyscallDef *find_syscall(uint64_t nr);
const char *syscall_name(uint64_t nr);  // null when the number is unknown

// The -strace text: "name(args)" before the call and " = result\n" after it.
std::string strace_call(uint64_t nr, const uint64_t a[6]);
std::string strace_result(uint64_t nr, int64_t ret);
// "--- SIGSEGV {si_signo=SIGSEGV, si_code=1, si_addr=0x...} ---\n" for a delivered signal.
std::string strace_signal(int sig, const siginfo_t &info);

// Raw host system call: the kernel's return value (-errno on failure).
int64_t host_syscall(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                     uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0);

}  // namespace qemu::user
