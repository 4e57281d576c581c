// Guest signals: host handlers that turn host signals into queued guest signals (and host
// faults in guest code into guest SIGSEGV/SIGBUS), the guest's actions and masks, delivery
// with a real x86-64 rt_sigframe on the guest stack, and default actions.
#pragma once

#include <csignal>
#include <cstdint>

namespace qemu::user {

struct ThreadState;

// Installs our host handlers for every catchable signal (once, at startup).
void signal_init();

// Queues a guest signal for ts (from our own code, not a signal handler).
void queue_signal(ThreadState *ts, int sig, const siginfo_t &info);

// Delivers what is pending and unblocked. interrupted_nr >= 0: the system call with that
// number returned -ERESTARTSYS and rip is just after it (rewound to restart it, or made to
// return -EINTR, by the rules of SA_RESTART).
void process_pending_signals(ThreadState *ts, int64_t interrupted_nr);

// The guest exception in ts->cpu (exception_index, error_code, fault_addr) as a guest signal.
void queue_exception_signal(ThreadState *ts);

// Makes the host thread's signal mask the guest's (less the signals we must always take:
// synchronous faults), so blocked signals stay pending in the kernel (signalfd, sigwaitinfo,
// the kernel's choice of thread and its queueing rules all work as natively).
void sync_host_mask(ThreadState *ts);

// The guest's initial state from what exec left us: the blocked mask and ignored signals.
void inherit_signal_state(ThreadState *ts);

// Moves what host handlers recorded for ts into its queue (on ts's own thread).
void drain_ring(ThreadState *ts);

// A guest signal whose default action is to terminate: exits the host process the same way.
[[noreturn]] void die_with_signal(int sig);

// Faults raised while our own code probes guest memory (the interpreter backend's loads and
// stores): true when the host range [addr, addr+len) can be accessed.
bool probe_read(uint64_t addr, void *out, unsigned len);
bool probe_write(uint64_t addr, const void *in, unsigned len);

inline uint64_t sigbit(int sig) {
  return 1ull << (sig - 1);
}

}  // namespace qemu::user
