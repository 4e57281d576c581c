// The gdbstub in user mode (-g PORT|PATH, QEMU_GDB): the guest threads, their registers and the
// guest memory as gdbstub::Target, breakpoints through the translator, stops from the cpu loop
// and from signal delivery. As in QEMU 7.2's user mode, a stopping thread talks to gdb while
// the others keep running (one stop at a time), and Ctrl-C is read only at a stop.
#pragma once

#include <atomic>
#include <string>

namespace qemu::user {

struct ThreadState;

extern std::atomic<bool> g_gdb_attached;
// Whether a debugger is attached (stops and signals go to it).
inline bool gdb_attached() {
  return g_gdb_attached.load(std::memory_order_relaxed);
}

// Listens, waits for gdb and serves it until it resumes the program (before the first guest
// instruction). False after QEMU's error message on stderr.
bool gdb_start(const std::string &port_or_path, ThreadState *main);
// For FrontendOptions::breakpoint_at.
bool gdb_breakpoint_at(uint64_t pc);

// Threads come and go (registered only while a debugger is attached).
void gdb_thread_started(ThreadState *ts);
void gdb_thread_exited(ThreadState *ts);

// ts stopped with Linux signal sig (SIGTRAP for a breakpoint or a single step, or a guest
// signal about to be delivered): reports it and serves gdb until it resumes. Returns the
// signal to deliver (gdb's choice; 0: none).
int gdb_stop(ThreadState *ts, int sig);

// The process ends: gdb gets W (exit code) or X (signal).
void gdb_process_exit(int code);
void gdb_process_signalled(int sig);
// In a forked child: the connection is the parent's; the child runs without breakpoints.
void gdb_fork_child();

}  // namespace qemu::user
