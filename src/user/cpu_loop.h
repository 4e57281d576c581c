// The loop each guest thread runs: execute translated code until it exits, then handle the
// system call or exception, then deliver pending guest signals.
#pragma once

namespace qemu::user {

struct ThreadState;

[[noreturn]] void cpu_loop(ThreadState *ts);

}  // namespace qemu::user
