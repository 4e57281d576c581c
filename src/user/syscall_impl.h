// The system calls we emulate rather than pass through (one family per file).
#pragma once

#include <cstdint>

#include "user/syscall_table.h"

namespace qemu::user {

#define SYSCALL_HANDLER(name) int64_t sys_##name(ThreadState *ts, const uint64_t a[6])

// syscall_mem.cc
SYSCALL_HANDLER(brk);
SYSCALL_HANDLER(mmap);
SYSCALL_HANDLER(munmap);
SYSCALL_HANDLER(mprotect);
SYSCALL_HANDLER(mremap);
SYSCALL_HANDLER(shmat);
SYSCALL_HANDLER(madvise);
// syscall_proc.cc
SYSCALL_HANDLER(exit);
SYSCALL_HANDLER(exit_group);
SYSCALL_HANDLER(arch_prctl);
SYSCALL_HANDLER(set_tid_address);
SYSCALL_HANDLER(enosys);
SYSCALL_HANDLER(clone);
SYSCALL_HANDLER(clone3);
SYSCALL_HANDLER(fork);
SYSCALL_HANDLER(vfork);
SYSCALL_HANDLER(execve);
SYSCALL_HANDLER(execveat);
SYSCALL_HANDLER(uname);
SYSCALL_HANDLER(prctl);
// syscall_file.cc
SYSCALL_HANDLER(open);
SYSCALL_HANDLER(openat);
SYSCALL_HANDLER(readlink);
SYSCALL_HANDLER(readlinkat);
// signal_syscalls.cc
SYSCALL_HANDLER(rt_sigaction);
SYSCALL_HANDLER(rt_sigprocmask);
SYSCALL_HANDLER(rt_sigreturn);
SYSCALL_HANDLER(sigaltstack);
SYSCALL_HANDLER(rt_sigsuspend);
SYSCALL_HANDLER(rt_sigpending);
SYSCALL_HANDLER(rt_sigtimedwait);
SYSCALL_HANDLER(pause);

// syscall_guest_ptrs.cc: a pass-through call when the guest base is not 0, its guest pointers
// (and those in the structures it takes) translated to host addresses.
int64_t translated_syscall(ThreadState *ts, uint64_t nr, const uint64_t a[6]);

// Runs the guest's system call (number in rax, arguments in rdi rsi rdx r10 r8 r9): strace,
// dispatch, result. Returns the value for rax, or -ERESTARTSYS (-512) when a signal
// interrupted a call that may be restarted.
int64_t do_syscall(ThreadState *ts, uint64_t nr, const uint64_t a[6]);

inline constexpr int64_t kErestartSys = -512;
// A handler that set every register itself (rt_sigreturn): rax is left alone.
inline constexpr int64_t kNoResult = -513;

}  // namespace qemu::user
