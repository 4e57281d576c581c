#include "user/signal_kick.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <csignal>

#include "jit/exec/engine.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

int g_pipe[2] = {-1, -1};

void *kicker_main(void *) {
  for (;;) {
    ThreadState *ts;
    ssize_t n = read(g_pipe[0], &ts, sizeof ts);
    if (n != sizeof ts) continue;
    if (!ts->in_guest.load()) continue;  // back in its loop already
    ts->kick.store(true);
    // Every block goes: the thread leaves chained code at its next block boundary and must
    // translate again, where code_readable sees the request.
    g_proc->engine->flush();
  }
  return nullptr;
}

}  // namespace

void kick_init() {
  if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) < 0) return;
  // The reader blocks; writers (signal handlers) never do.
  fcntl(g_pipe[0], F_SETFL, 0);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // the helper never takes host signals
  pthread_t th;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&th, &attr, kicker_main, nullptr);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void kick_thread(ThreadState *ts) {
  if (g_pipe[1] < 0 || !ts->in_guest.load()) return;
  ssize_t n = write(g_pipe[1], &ts, sizeof ts);
  (void)n;
}

bool kick_pending() {
  ThreadState *ts = current_thread();
  return ts && ts->kick.load(std::memory_order_relaxed);
}

bool kick_consume(ThreadState *ts, uint64_t exit) {
  if (!ts->kick.exchange(false)) return false;
  const x86::CpuX86 &cpu = ts->cpu;
  if (exit != x86::kExitException || cpu.exception_index != x86::kExcpPF ||
      cpu.fault_addr != cpu.rip || !g_proc->mem.is_mapped(cpu.rip, 1, PROT_READ))
    return false;
  // The block made for the refused fetch is cached: drop it (and everything, as blocks of
  // other threads may have been made during the kick too).
  g_proc->engine->flush();
  return true;
}

}  // namespace qemu::user
