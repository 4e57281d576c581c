// The per-thread direct-mapped cache in front of the block hash table: guest pc -> block.
// Read and written by its thread without locks; entries are cleared by other threads (under
// the engine's lock) when their blocks are invalidated, hence the atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "jit/exec/tb.h"

namespace qemu::jit {

class JumpCache {
 public:
  static constexpr unsigned kBits = 12;
  static constexpr size_t kSize = size_t{1} << kBits;

  static size_t index(uint64_t pc) {
    return (pc ^ (pc >> kBits) ^ (pc >> (2 * kBits))) & (kSize - 1);
  }

  // The cached block for key, if it is still valid.
  Tb *find(const TbKey &key) const {
    Tb *tb = entries_[index(key.pc)].load(std::memory_order_acquire);
    if (tb && tb->key == key && !tb->invalid.load(std::memory_order_relaxed)) return tb;
    return nullptr;
  }
  // find({pc, flags}) inline: one load and the checks, for the indirect-jump fast path.
  Tb *find(uint64_t pc, uint64_t flags) const {
    Tb *tb = entries_[index(pc)].load(std::memory_order_acquire);
    if (tb && tb->key.pc == pc && tb->key.flags == flags &&
        !tb->invalid.load(std::memory_order_relaxed)) {
      return tb;
    }
    return nullptr;
  }
  void set(Tb *tb) { entries_[index(tb->key.pc)].store(tb, std::memory_order_release); }
  // Forgets tb (from any thread).
  void drop(Tb *tb) {
    Tb *expected = tb;
    entries_[index(tb->key.pc)].compare_exchange_strong(expected, nullptr,
                                                        std::memory_order_relaxed);
  }
  void clear() {
    for (auto &e : entries_) e.store(nullptr, std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<Tb *>, kSize> entries_{};
};

}  // namespace qemu::jit
