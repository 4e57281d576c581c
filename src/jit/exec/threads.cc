// The threads of an engine: their states, entering and leaving run(), and the rendezvous of a
// full flush.
//
// A flush frees every block and its code, so no other thread may be inside one. The thread
// that performs it (flush_gate with kPendingFlush set) first unchains every jump (so that
// threads in chained code come back to their loops at the next block boundary; the lookup
// helper and chaining refuse while a flush is pending), then waits until it is the only
// active thread: every other thread in run() parks in flush_gate at the top of its loop
// (active counts the threads in run() that are not parked). Threads entering run() during a
// flush wait before becoming active.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "jit/exec/engine_impl.h"

namespace qemu::jit {

thread_local constinit ThreadState *t_running = nullptr;
thread_local constinit const void *t_jump_table = nullptr;

namespace {

// Guards the link between thread states and engines (an engine going away, a thread exiting).
std::mutex g_registry_mu;

// A thread's states, one per engine it ran; unlisted from their engines when it exits.
struct ThreadStates {
  std::vector<std::unique_ptr<ThreadState>> states;
  ~ThreadStates() {
    std::lock_guard<std::mutex> g(g_registry_mu);
    for (auto &s : states) {
      Engine::Impl *m = s->impl.load();
      if (!m) continue;
      std::lock_guard<std::mutex> l(m->mu);
      std::erase(m->threads, s.get());
    }
  }
};
thread_local ThreadStates t_states;

}  // namespace

Engine::Impl::~Impl() {
  std::lock_guard<std::mutex> g(g_registry_mu);
  for (ThreadState *ts : threads) ts->impl.store(nullptr);
}

ThreadState *Engine::Impl::thread_state() {
  auto &v = t_states.states;
  for (auto &s : v) {
    if (s->impl.load(std::memory_order_relaxed) == this) return s.get();
  }
  std::erase_if(v, [](const auto &s) { return s->impl.load() == nullptr; });
  auto s = std::make_unique<ThreadState>();
  s->impl.store(this);
  {
    std::lock_guard<std::mutex> g(g_registry_mu);
    std::lock_guard<std::mutex> l(mu);
    s->index = next_index++;
    threads.push_back(s.get());
  }
  v.push_back(std::move(s));
  return v.back().get();
}

void Engine::Impl::enter_run(ThreadState *ts) {
  if (ts->in_run) {
    std::fprintf(stderr, "jit: Engine::run called again from inside run\n");
    std::abort();
  }
  std::unique_lock<std::mutex> l(excl_mu);
  excl_cv.wait(l, [&] { return !flushing; });
  active++;
  ts->in_run = true;
}

void Engine::Impl::leave_run(ThreadState *ts) {
  std::lock_guard<std::mutex> l(excl_mu);
  active--;
  ts->in_run = false;
  excl_cv.notify_all();
}

void Engine::Impl::request_flush_locked() {
  if (pending.fetch_or(kPendingFlush) & kPendingFlush) return;
  unchain_all_locked();
  // Inline lookups must not keep a thread in generated code either.
  for (ThreadState *t : threads) t->jc.clear_host();
}

void Engine::Impl::flush_gate(ThreadState *ts, bool in_run) {
  std::unique_lock<std::mutex> l(excl_mu);
  if (flushing) {
    // Another thread flushes: park until it is done.
    if (in_run) {
      active--;
      excl_cv.notify_all();
    }
    excl_cv.wait(l, [&] { return !flushing; });
    if (in_run) active++;
    return;
  }
  if (!(pending.load() & kPendingFlush)) return;  // done meanwhile
  flushing = true;
  l.unlock();
  {
    // Requests made without the lock (flush()) have not unchained yet.
    EngineLock g(*this, ts);
    unchain_all_locked();
  }
  l.lock();
  const int self = in_run ? 1 : 0;
  excl_cv.wait(l, [&] { return active == self; });
  {
    EngineLock g(*this, ts);
    flush_locked();
    pending.fetch_and(~kPendingFlush);
  }
  flushing = false;
  excl_cv.notify_all();
}

// fork: the locks are taken in the order excl_mu, mu (as flush_gate does).
void Engine::fork_prepare() {
  impl_->excl_mu.lock();
  impl_->mu.lock();
}

void Engine::fork_parent() {
  impl_->mu.unlock();
  impl_->excl_mu.unlock();
}

void Engine::fork_child() {
  Impl &m = *impl_;
  ThreadState *self = nullptr;
  for (auto &s : t_states.states) {
    if (s->impl.load() == &m) self = s.get();
  }
  m.threads.clear();
  if (self) m.threads.push_back(self);
  m.active = self && self->in_run ? 1 : 0;
  m.flushing = false;
  m.mu.unlock();
  m.excl_mu.unlock();
}

}  // namespace qemu::jit
