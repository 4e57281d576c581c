// A translation block: one guest block decoded, optimized and compiled, cached by its key.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "jit/exec/frontend.h"

namespace qemu::jit {

inline constexpr unsigned kPageBits = 12;  // the unit of code invalidation (4 KiB)

struct Tb;

// A jump into a block: slot `slot` of block `from` goes straight to it.
struct TbJump {
  Tb *from;
  unsigned slot;
  bool operator==(const TbJump &) const = default;
};

// Backends derive from Tb to keep their per-block data (the interpreter's IR, the x86-64
// code's jump offsets and instruction map). Aligned to 8 so that a Tb pointer leaves its low
// bits free (the x86-64 backend encodes (Tb, slot) in exit values).
struct alignas(8) Tb {
  virtual ~Tb() = default;

  TbKey key;
  TbSource src;
  // The first insn_start's words: where the guest is when the block's entry leaves for an
  // exit request.
  uint64_t first_pc = 0, first_extra = 0;
  // Host code (x86-64; null for the interpreter) and its size.
  const void *code = nullptr;
  size_t code_size = 0;
  // Set (under the engine's lock) when the block is invalidated: it stays allocated, since
  // other threads may still run it, until the next full flush.
  std::atomic<bool> invalid{false};
  // Translated for one run only (Engine::exit_to_loop_single): never cached.
  bool one_off = false;
  // Where each goto_tb slot is chained to (null: unchained). Written under the engine's lock;
  // read without it by the interpreter's loop.
  std::atomic<Tb *> jmp_dest[2] = {nullptr, nullptr};
  // The jumps chained into this block (under the engine's lock), to unchain on invalidation.
  std::vector<TbJump> jmp_in;
  // The guest pages (address >> kPageBits) of src, where the block is listed for
  // invalidation.
  std::vector<uint64_t> pages;

  // Whether guest bytes [start, end) overlap the block's source. A block that read no bytes
  // counts as covering its pc.
  bool overlaps(uint64_t start, uint64_t end) const;
};

inline bool Tb::overlaps(uint64_t start, uint64_t end) const {
  bool any = false;
  for (int i = 0; i < 2; i++) {
    if (!src.len[i]) continue;
    any = true;
    if (src.start[i] < end && start < src.start[i] + src.len[i]) return true;
  }
  return !any && key.pc >= start && key.pc < end;
}

}  // namespace qemu::jit
