// The execution loop, translation, chaining, invalidation and flushes (see engine_impl.h for
// the locking rules and threads.cc for the flush rendezvous).
#include "jit/exec/engine.h"

#include <csignal>
#include <cstdlib>
#include <string>

#include "jit/backend/interp/interp.h"
#include "jit/exec/engine_impl.h"
#include "jit/exec/log.h"
#include "jit/opt/passes.h"

namespace qemu::jit {

Engine::Impl::Impl(Frontend &f, const EngineOptions &o)
    : fe(f), opts(o), log(o.log_file ? o.log_file : stderr) {
  if (opts.max_insns == 0) opts.max_insns = 1;
  if (opts.backend == BackendKind::x86_64) be = make_x64_backend(opts);
  if (be) {
    kind = BackendKind::x86_64;
  } else {
    be = make_interp_backend(opts);
    kind = BackendKind::interp;
  }
  size_t off = 0;
  if (!(opts.log & kLogNoChain) && fe.simple_key(&off, &fast_flags)) {
    fast_pc_offset = static_cast<ptrdiff_t>(off);
    be->set_inline_lookup(fast_pc_offset);
  }
  HelperInfo::GenericFn fp_fn = nullptr;
  size_t mxcsr = 0;
  if (fe.inline_scalar_double(&fp_fn, &mxcsr)) be->set_inline_scalar_double(fp_fn, mxcsr);
}

namespace {

// The thread's state when it is inside run() of m (else null).
ThreadState *running_in(Engine::Impl *m) {
  ThreadState *ts = t_running;
  return ts && ts->impl.load(std::memory_order_relaxed) == m ? ts : nullptr;
}

}  // namespace

Tb *Engine::Impl::translate_locked(const TbKey &key, bool cached, unsigned max_insns) {
  Ir ir;
  Builder b(ir);
  TbSource src;
  LabelId requested = 0;
  if (opts.exit_request_offset >= 0) {
    // The block entry tests the exit request flag: chained and looked-up jumps come here too.
    // The exit is placed after the block, so that the usual path falls through.
    TempId flag = b.temp(Type::i32);
    requested = b.label();
    b.ld_env(Type::i32, flag, opts.exit_request_offset, kMo32);
    b.brcond(Type::i32, Cond::ne, flag, b.konst(Type::i32, 0), requested);
  }
  fe.translate(key, b, src, max_insns ? max_insns : opts.max_insns);
  if (opts.exit_request_offset >= 0) {
    b.set_label(requested);
    b.exit_tb(kExitRequested);
  }
  if (std::string err = verify(ir); !err.empty()) {
    std::fprintf(stderr, "jit: invalid IR for pc 0x%llx: %s\n",
                 static_cast<unsigned long long>(key.pc), err.c_str());
    std::abort();
  }
  if (opts.log & kLogInAsm) log_in_asm(log, fe, opts, key, src);
  if (opts.log & kLogOp) log_ir(log, "OP:", ir, false);
  optimize(ir);
  if (opts.log & kLogOpOpt) log_ir(log, "OP after optimization and liveness analysis:", ir, true);
  std::unique_ptr<Tb> tb = be->create();
  tb->key = key;
  tb->src = src;
  tb->first_pc = key.pc;
  for (const Op &op : ir.ops) {
    if (op.opc != Opcode::insn_start) continue;
    tb->first_pc = op.cst(0);
    tb->first_extra = op.cst(1);
    break;
  }
  if (!be->compile(*tb, ir)) {
    if (flushed_empty) {
      std::fprintf(stderr, "jit: the block at pc 0x%llx does not fit in the code buffer\n",
                   static_cast<unsigned long long>(key.pc));
      std::abort();
    }
    request_flush_locked();
    return nullptr;
  }
  flushed_empty = false;
  if (opts.log & kLogOutAsm) be->log_out_asm(*tb, log);
  stats.translations++;
  if (cached) {
    std::vector<uint64_t> new_pages;
    cache.insert(tb.get(), new_pages);
    if (opts.protect_code_page) {
      for (uint64_t page : new_pages) opts.protect_code_page(page);
    }
  } else {
    tb->one_off = true;
    tb->invalid.store(true);  // never found by lookups nor chained
  }
  blocks.push_back(std::move(tb));
  return blocks.back().get();
}

Tb *Engine::Impl::translate_one_off(ThreadState *ts, const TbKey &key) {
  EngineLock g(*this, ts);
  if (pending.load(std::memory_order_relaxed)) return nullptr;
  return translate_locked(key, false, 1);
}

Tb *Engine::Impl::find_slow(ThreadState *ts, const TbKey &key, bool translate) {
  EngineLock g(*this, ts);
  if (pending.load(std::memory_order_relaxed)) return nullptr;
  Tb *tb = cache.find(key);
  if (!tb && translate) tb = translate_locked(key);
  if (tb) ts->jc.set(tb, fast_pc_offset >= 0 && tb->key.flags == fast_flags);
  return tb;
}

void Engine::Impl::maybe_chain(ThreadState *ts, Tb *from, unsigned slot, Tb *to) {
  if (from->jmp_dest[slot].load(std::memory_order_relaxed)) return;
  if ((opts.log & kLogNoChain) || !be->can_chain(*from, slot)) return;
  EngineLock g(*this, ts);
  if (pending.load(std::memory_order_relaxed) || from->invalid.load() || to->invalid.load() ||
      from->jmp_dest[slot].load(std::memory_order_relaxed)) {
    return;
  }
  be->chain(*from, slot, *to);
  from->jmp_dest[slot].store(to, std::memory_order_release);
  to->jmp_in.push_back({from, slot});
  stats.chained++;
  if (opts.log & kLogExec) log_link(log, *from, slot, *to);
}

void Engine::Impl::remove_locked(Tb *tb) {
  tb->invalid.store(true);
  cache.remove(tb);
  for (ThreadState *t : threads) t->jc.drop(tb);
  for (const TbJump &j : tb->jmp_in) {
    be->unchain(*j.from, j.slot);
    j.from->jmp_dest[j.slot].store(nullptr, std::memory_order_relaxed);
  }
  tb->jmp_in.clear();
  // A thread still inside tb leaves it for the loop rather than for another block.
  for (unsigned slot = 0; slot < 2; slot++) {
    Tb *dest = tb->jmp_dest[slot].load(std::memory_order_relaxed);
    if (!dest) continue;
    be->unchain(*tb, slot);
    tb->jmp_dest[slot].store(nullptr, std::memory_order_relaxed);
    std::erase(dest->jmp_in, TbJump{tb, slot});
  }
}

void Engine::Impl::unchain_all_locked() {
  for (auto &tb : blocks) {
    for (unsigned slot = 0; slot < 2; slot++) {
      if (!tb->jmp_dest[slot].load(std::memory_order_relaxed)) continue;
      be->unchain(*tb, slot);
      tb->jmp_dest[slot].store(nullptr, std::memory_order_relaxed);
    }
    tb->jmp_in.clear();
  }
}

void Engine::Impl::flush_locked() {
  for (ThreadState *t : threads) {
    t->jc.clear();
    t->hint = nullptr;
  }
  cache.clear();
  blocks.clear();
  be->flush();
  flushed_empty = true;
  stats.flushes++;
}

uint64_t Engine::Impl::loop(ThreadState *ts, void *env) {
  Tb *last = nullptr;  // left through goto_tb slot `slot` unchained
  unsigned slot = 0;
  for (;;) {
    if (pending.load(std::memory_order_relaxed)) {
      flush_gate(ts, true);
      last = nullptr;
      ts->hint = nullptr;
    }
    if (exit_requested(env)) return opts.exit_request_value;
    const TbKey key = fe.key(env);
    Tb *tb = nullptr;
    if (last) {
      // The interpreter's chaining: the slot's destination without a lookup.
      Tb *d = last->jmp_dest[slot].load(std::memory_order_acquire);
      if (d && d->key == key && !d->invalid.load(std::memory_order_relaxed)) tb = d;
    }
    if (!tb && ts->hint) {
      Tb *h = ts->hint;
      if (h->key == key && !h->invalid.load(std::memory_order_relaxed)) tb = h;
    }
    ts->hint = nullptr;
    if (ts->one_insn) {
      // After a write into the running block (exit_to_loop_single): the writing instruction
      // alone, translated afresh and not kept (its page stays writable meanwhile).
      tb = translate_one_off(ts, key);
      if (!tb) continue;  // a flush is pending
      ts->one_insn = false;
      last = nullptr;
    }
    if (!tb) tb = ts->jc.find(key);
    if (!tb) {
      tb = find_slow(ts, key, true);
      if (!tb) {  // a flush is pending
        last = nullptr;
        continue;
      }
    }
    if (last) maybe_chain(ts, last, slot, tb);
    last = nullptr;
    if (opts.log & (kLogExec | kLogCpu)) {
      flockfile(log);
      if (opts.log & kLogExec) log_trace(log, ts->index, *tb);
      if (opts.log & kLogCpu) fe.dump_state(env, log, (opts.log & kLogFpu) != 0);
      funlockfile(log);
    }
    ts->current = tb;
    ExecResult r = be->exec(env, *tb);
    switch (r.kind) {
      case ExecResult::next:
        break;
      case ExecResult::chain:
        if (r.tb->invalid.load(std::memory_order_relaxed)) break;  // e.g. a one-off block
        last = r.tb;
        slot = r.slot;
        break;
      case ExecResult::ptr:
        ts->hint = reinterpret_cast<Tb *>(r.value);
        break;
      case ExecResult::target:
        return r.value;
      case ExecResult::requested:
        fe.restore(env, r.tb->first_pc, r.tb->first_extra);
        return opts.exit_request_value;
      case ExecResult::fault:
        fe.restore(env, r.insn_pc, r.insn_extra);
        if (!opts.mem_fault) {
          std::fprintf(stderr, "jit: guest memory fault at 0x%llx (pc 0x%llx)\n",
                       static_cast<unsigned long long>(r.value),
                       static_cast<unsigned long long>(r.insn_pc));
          std::abort();
        }
        return opts.mem_fault(env, r.value);
    }
  }
}

Engine::Engine(Frontend &fe, const EngineOptions &opts) : impl_(std::make_unique<Impl>(fe, opts)) {}

Engine::~Engine() = default;

namespace {

// After siglongjmp back into run(): drops what the abandoned frames held.
void landed(Engine::Impl &m, ThreadState *ts) {
  Interpreter::unwind();
  if (ts->holds_lock) {
    m.mu.unlock();
    ts->holds_lock = false;
  }
}

}  // namespace

uint64_t Engine::run(void *env) {
  Impl &m = *impl_;
  ThreadState *const ts = m.thread_state();
  m.enter_run(ts);
  ThreadState *const outer = t_running;
  const void *const outer_table = t_jump_table;
  t_running = ts;
  t_jump_table = ts->jc.host_table();
  ts->env = env;
  ts->hint = nullptr;
  for (;;) {
    if (sigsetjmp(ts->jb, 1) == 0) {
      ts->exit_value = m.loop(ts, env);
      break;
    }
    landed(m, ts);
    if (ts->exit_value >= kExitTargetBase) break;
    ts->hint = nullptr;  // kExitNext: resume at the CPU's (restored) pc
  }
  const uint64_t value = ts->exit_value;
  t_running = outer;
  t_jump_table = outer_table;
  m.leave_run(ts);
  return value;
}

void Engine::exit_to_loop(void *env, uint64_t value) {
  ThreadState *ts = running_in(impl_.get());
  (void)env;
  if (!ts) {
    std::fprintf(stderr, "jit: exit_to_loop outside run()\n");
    std::abort();
  }
  ts->exit_value = value;
  siglongjmp(ts->jb, 1);
}

bool Engine::restore_host_pc(void *env, uintptr_t host_pc) {
  ThreadState *ts = running_in(impl_.get());
  if (!ts || ts->holds_lock) return false;  // not in a block (the loop or translation)
  uint64_t pc, extra;
  {
    EngineLock g(*impl_, ts);
    if (!impl_->be->find_insn(host_pc, &pc, &extra)) return false;
  }
  impl_->fe.restore(env, pc, extra);
  return true;
}

bool Engine::restore_from_helper(void *env) {
  if (!running_in(impl_.get())) return false;
  const uintptr_t ra = impl_->be->helper_return_address();
  return ra && restore_helper_retaddr(env, ra);
}

void Engine::raise_from_helper(void *env, uint64_t value) {
  ThreadState *ts = t_running;
  Impl *m = ts ? ts->impl.load(std::memory_order_relaxed) : nullptr;
  uint64_t pc = 0, extra = 0;
  bool found = false;
  if (m && !ts->holds_lock) {
    const uintptr_t ra = m->be->helper_return_address();
    EngineLock g(*m, ts);
    // (The interpreter's find_insn needs no host pc: its current instruction is the caller.)
    found =
        (ra || m->kind == BackendKind::interp) && m->be->find_insn(ra ? ra - 1 : 0, &pc, &extra);
  }
  if (!found) {
    std::fprintf(stderr, "jit: raise_from_helper outside a block\n");
    std::abort();
  }
  m->fe.restore(env, pc, extra);
  ts->exit_value = value;
  siglongjmp(ts->jb, 1);
}

bool Engine::running_block_overlaps(uintptr_t host_pc, uint64_t start, uint64_t end) {
  ThreadState *ts = running_in(impl_.get());
  if (!ts || ts->holds_lock) return false;
  EngineLock g(*impl_, ts);
  Tb *tb = impl_->be->block_at(host_pc);
  if (!tb && impl_->kind == BackendKind::interp && Interpreter::current()) tb = ts->current;
  return tb && !tb->one_off && tb->overlaps(start, end);
}

void Engine::exit_to_loop_single(void *env) {
  ThreadState *ts = running_in(impl_.get());
  if (ts) ts->one_insn = true;
  exit_to_loop(env, kExitNext);
}

void Engine::invalidate(uint64_t start, uint64_t end) {
  ThreadState *ts = running_in(impl_.get());
  if (ts && ts->holds_lock) {
    std::fprintf(stderr, "jit: invalidate from a signal handler interrupting the engine\n");
    std::abort();
  }
  EngineLock g(*impl_, ts);
  std::vector<Tb *> found;
  impl_->cache.overlapping(start, end, found);
  for (Tb *tb : found) impl_->remove_locked(tb);
  impl_->stats.invalidated += found.size();
}

void Engine::flush() {
  Impl &m = *impl_;
  ThreadState *ts = running_in(&m);
  {
    EngineLock g(m, ts);
    m.request_flush_locked();
  }
  // Inside run() the loop performs it between blocks; outside, wait for the others now.
  if (!ts) m.flush_gate(nullptr, false);
}

void Engine::request_exit(void *env) {
  if (impl_->opts.exit_request_offset < 0) return;
  auto *flag =
      reinterpret_cast<uint32_t *>(static_cast<uint8_t *>(env) + impl_->opts.exit_request_offset);
  std::atomic_ref<uint32_t>(*flag).store(1, std::memory_order_relaxed);
}

EngineStats Engine::stats() const {
  std::lock_guard<std::mutex> g(impl_->mu);
  return impl_->stats;
}

const EngineOptions &Engine::options() const {
  return impl_->opts;
}

BackendKind Engine::backend() const {
  return impl_->kind;
}

}  // namespace qemu::jit
