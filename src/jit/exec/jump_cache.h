// The per-thread direct-mapped cache in front of the block hash table: guest pc -> block.
// Read by its thread without locks; written only under the engine's lock (filled by its own
// thread, cleared by any thread when blocks are invalidated or a flush is asked for), hence the
// atomics.
//
// Besides the blocks it keeps a table of {guest pc, host code} pairs at the same index for
// generated code's inline lookup of indirect jumps (x86-64 backend, see x64::InlineLookup):
// one load and compare, then a jump, without a call. A pair is only valid with the key's
// constant flags (the front end's simple key); an empty one holds kNoPc.
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
  static constexpr uint64_t kNoPc = ~uint64_t{0};  // not a canonical address

  struct HostEntry {
    std::atomic<uint64_t> pc{kNoPc};
    std::atomic<const void *> code{nullptr};
  };

  static constexpr size_t index(uint64_t pc) { return (pc ^ (pc >> kBits)) & (kSize - 1); }

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
  // Under the engine's lock. host: tb's key has the simple key's flags and tb has host code.
  void set(Tb *tb, bool host) {
    const size_t i = index(tb->key.pc);
    entries_[i].store(tb, std::memory_order_release);
    HostEntry &h = host_[i];
    h.pc.store(kNoPc, std::memory_order_relaxed);
    if (!host || !tb->code) return;
    h.code.store(tb->code, std::memory_order_relaxed);
    h.pc.store(tb->key.pc, std::memory_order_release);
  }
  // Forgets tb (from any thread, under the engine's lock).
  void drop(Tb *tb) {
    const size_t i = index(tb->key.pc);
    Tb *expected = tb;
    entries_[i].compare_exchange_strong(expected, nullptr, std::memory_order_relaxed);
    if (host_[i].code.load(std::memory_order_relaxed) == tb->code) {
      host_[i].pc.store(kNoPc, std::memory_order_relaxed);
    }
  }
  void clear() {
    for (auto &e : entries_) e.store(nullptr, std::memory_order_relaxed);
    clear_host();
  }
  // Only the inline pairs (a flush is pending: indirect jumps must go back to the loop).
  void clear_host() {
    for (auto &h : host_) h.pc.store(kNoPc, std::memory_order_relaxed);
  }
  const HostEntry *host_table() const { return host_.data(); }

 private:
  std::array<std::atomic<Tb *>, kSize> entries_{};
  std::array<HostEntry, kSize> host_{};
};

}  // namespace qemu::jit
