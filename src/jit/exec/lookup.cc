#include "jit/exec/lookup.h"

#include "jit/exec/engine_impl.h"

namespace qemu::jit {

uint64_t helper_lookup_tb_ptr(uint64_t env) {
  ThreadState *ts = t_running;
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

const HelperInfo kHelperLookupTbPtr = {
    "lookup_tb_ptr", reinterpret_cast<HelperInfo::GenericFn>(&helper_lookup_tb_ptr), 1, true,
    kHelperReadsGlobals};

}  // namespace qemu::jit
