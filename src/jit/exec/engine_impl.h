// The engine's state, shared by engine.cc, threads.cc and lookup.cc. Internal.
//
// Locking: `mu` guards the block cache, every Tb's jmp_in/jmp_dest writes, the list of
// threads and the backend (translation, chaining, invalidation, flush). Generated code never
// runs with it held; the run loop's fast path (a thread's jump cache, the interpreter's
// chained slots) takes no lock.
//
// Blocks are never freed while another thread may run them: invalidation only unlinks them,
// and a full flush (the only place blocks and code are freed) first waits until every other
// thread in run() is parked at the top of its loop (flush_gate below). `excl_mu` guards that
// rendezvous; it is taken before `mu` when both are held.
#pragma once

#include <atomic>
#include <condition_variable>
#include <csetjmp>
#include <memory>
#include <mutex>
#include <vector>

#include "jit/exec/backend.h"
#include "jit/exec/engine.h"
#include "jit/exec/jump_cache.h"
#include "jit/exec/tb_cache.h"

namespace qemu::jit {

// One thread's state for one engine (owned by the thread, listed by the engine).
struct ThreadState {
  std::atomic<Engine::Impl *> impl{nullptr};  // null once the engine is gone
  unsigned index = 0;                         // "Trace <index>:" in -d exec
  JumpCache jc;
  sigjmp_buf jb;
  uint64_t exit_value = 0;
  void *env = nullptr;
  bool in_run = false;
  bool holds_lock = false;  // this thread holds (or waits for) impl->mu
  Tb *hint = nullptr;       // the block goto_ptr went to (interpreter)
  Tb *current = nullptr;    // the block entered last from the loop (interpreter: running)
  bool one_insn = false;    // run the next instruction alone in an uncached block
};

// The thread's state in the engine whose run() it is in (innermost), else null.
extern thread_local constinit ThreadState *t_running;
// Its jump cache's table of {pc, host code} pairs (JumpCache::host_table), read by generated
// code's inline lookups at a fixed offset from the thread pointer.
extern thread_local constinit const void *t_jump_table;

enum : uint32_t {
  kPendingFlush = 1u << 0,  // a flush is wanted: threads go to the top of their loops
};

struct Engine::Impl {
  Impl(Frontend &fe, const EngineOptions &opts);
  ~Impl();

  Frontend &fe;
  EngineOptions opts;
  FILE *log;
  std::unique_ptr<Backend> be;
  BackendKind kind;
  // The indirect-jump fast path (lookup.cc): the key's pc offset in the CPU state and its
  // constant flags when the front end has a simple key and chaining is on (else -1).
  ptrdiff_t fast_pc_offset = -1;
  uint64_t fast_flags = 0;

  std::mutex mu;
  TbCache cache;
  std::vector<std::unique_ptr<Tb>> blocks;  // every block since the last flush
  std::vector<ThreadState *> threads;
  unsigned next_index = 0;
  EngineStats stats;
  bool flushed_empty = false;  // nothing was compiled since the last flush

  std::atomic<uint32_t> pending{0};
  std::mutex excl_mu;
  std::condition_variable excl_cv;
  int active = 0;  // threads in run() and not parked
  bool flushing = false;

  // threads.cc
  ThreadState *thread_state();
  void enter_run(ThreadState *ts);
  void leave_run(ThreadState *ts);
  // At the top of the loop (or from flush() outside run): takes part in a pending flush,
  // performing it or waiting while another thread does.
  void flush_gate(ThreadState *ts, bool in_run);
  // Under mu: asks for a flush and sends running threads back to their loops.
  void request_flush_locked();

  // engine.cc
  bool exit_requested(void *env) const {
    if (opts.exit_request_offset < 0) return false;
    auto *flag =
        reinterpret_cast<uint32_t *>(static_cast<uint8_t *>(env) + opts.exit_request_offset);
    return std::atomic_ref<uint32_t>(*flag).load(std::memory_order_relaxed) != 0;
  }
  uint64_t loop(ThreadState *ts, void *env);
  Tb *lookup_locked(const TbKey &key);
  Tb *find_slow(ThreadState *ts, const TbKey &key, bool translate);
  // cached: false for a one-off block (not in the table, no page protection).
  Tb *translate_locked(const TbKey &key, bool cached = true, unsigned max_insns = 0);
  Tb *translate_one_off(ThreadState *ts, const TbKey &key);
  void maybe_chain(ThreadState *ts, Tb *from, unsigned slot, Tb *to);
  void remove_locked(Tb *tb);
  void unchain_all_locked();
  void flush_locked();
};

// Holds mu, with the thread's holds_lock flag set (so that a signal handler on this thread
// knows not to take it).
class EngineLock {
 public:
  EngineLock(Engine::Impl &m, ThreadState *ts) : m_(m), ts_(ts) {
    if (ts_) ts_->holds_lock = true;
    m_.mu.lock();
  }
  ~EngineLock() {
    m_.mu.unlock();
    if (ts_) ts_->holds_lock = false;
  }
  EngineLock(const EngineLock &) = delete;
  EngineLock &operator=(const EngineLock &) = delete;

 private:
  Engine::Impl &m_;
  ThreadState *ts_;
};

}  // namespace qemu::jit
