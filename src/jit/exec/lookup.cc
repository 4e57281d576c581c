#include "jit/exec/lookup.h"

#include <cstring>

#include "jit/exec/engine_impl.h"

namespace qemu::jit {

namespace {

[[gnu::noinline]] uint64_t lookup_slow(ThreadState *ts, uint64_t env) {
  Engine::Impl *m = ts ? ts->impl.load(std::memory_order_relaxed) : nullptr;
  if (!m) return 0;
  if ((m->opts.log & kLogNoChain) || m->pending.load(std::memory_order_relaxed) ||
      m->exit_requested(reinterpret_cast<void *>(env))) {
    return m->be->lookup_miss();
  }
  const TbKey key = m->fe.key(reinterpret_cast<const void *>(env));
  Tb *tb = ts->jc.find(key);
  if (!tb) tb = m->find_slow(ts, key, false);
  return tb ? m->be->lookup_hit(*tb) : m->be->lookup_miss();
}

}  // namespace

// The fast path: the key read directly, a jump-cache hit, no locks and no virtual calls.
uint64_t helper_lookup_tb_ptr(uint64_t env) {
  ThreadState *ts = t_running;
  if (ts) [[likely]] {
    Engine::Impl *m = ts->impl.load(std::memory_order_relaxed);
    if (m && m->fast_pc_offset >= 0 && !m->pending.load(std::memory_order_relaxed) &&
        !m->exit_requested(reinterpret_cast<void *>(env))) [[likely]] {
      uint64_t pc;
      std::memcpy(&pc, reinterpret_cast<const uint8_t *>(env) + m->fast_pc_offset, sizeof pc);
      if (Tb *tb = ts->jc.find(pc, m->fast_flags)) [[likely]] {
        return m->kind == BackendKind::x86_64 ? reinterpret_cast<uintptr_t>(tb->code)
                                              : reinterpret_cast<uintptr_t>(tb);
      }
    }
  }
  return lookup_slow(ts, env);
}

const HelperInfo kHelperLookupTbPtr = {
    "lookup_tb_ptr", reinterpret_cast<HelperInfo::GenericFn>(&helper_lookup_tb_ptr), 1, true,
    kHelperReadsGlobals};

}  // namespace qemu::jit
