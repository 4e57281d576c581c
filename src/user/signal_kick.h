// Getting a thread that runs guest code (possibly a chained loop that never exits) back to its
// cpu loop so a queued signal can be delivered: a host signal handler cannot leave generated
// code in the middle of a guest instruction, so it asks a helper thread, which flags the
// thread and flushes the translated code. The thread then translates its next block, our
// code_readable callback refuses the fetch for a flagged thread, and the block exits with a
// fetch #PF that the loop recognizes as the kick (not delivered to the guest).
#pragma once

#include <cstdint>

namespace qemu::user {

struct ThreadState;

// Starts the helper thread (after the engine exists).
void kick_init();

// From a host signal handler: asks for ts to come back to its loop (async-signal-safe).
void kick_thread(ThreadState *ts);

// In code_readable: whether the current thread is being kicked.
bool kick_pending();

// After Engine::run returned: true when the exit was our kick (the CPU state is exact at rip;
// nothing to deliver for it). Clears the request.
bool kick_consume(ThreadState *ts, uint64_t exit);

}  // namespace qemu::user
