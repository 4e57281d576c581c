// The map from host code offsets to guest instructions (insn_start's pc and extra word), kept
// compact: per insn_start, the host offset delta (unsigned LEB128), the pc delta (zigzag
// LEB128) and the extra word (unsigned LEB128), appended in code order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qemu::jit::x64 {

class InsnMapWriter {
 public:
  explicit InsnMapWriter(std::vector<uint8_t> &out) : out_(out) {}
  // An insn_start at host offset off (offsets never decrease).
  void add(uint32_t off, uint64_t pc, uint64_t extra);

 private:
  std::vector<uint8_t> &out_;
  uint32_t last_off_ = 0;
  uint64_t last_pc_ = 0;
};

// Calls f(off, pc, extra) for every entry in order; stops early when f returns false.
template <typename F>
void insn_map_walk(const std::vector<uint8_t> &map, F f);

// The last insn_start at or before host offset off; false when there is none.
bool insn_map_find(const std::vector<uint8_t> &map, uint32_t off, uint64_t *pc, uint64_t *extra);

namespace detail {
bool insn_map_get(const std::vector<uint8_t> &in, size_t &pos, uint64_t *v);
}

template <typename F>
void insn_map_walk(const std::vector<uint8_t> &map, F f) {
  size_t pos = 0;
  uint64_t off = 0, pc = 0;
  while (pos < map.size()) {
    uint64_t d_off, zigzag, extra;
    if (!detail::insn_map_get(map, pos, &d_off) || !detail::insn_map_get(map, pos, &zigzag) ||
        !detail::insn_map_get(map, pos, &extra)) {
      return;
    }
    off += d_off;
    pc += (zigzag >> 1) ^ (0 - (zigzag & 1));
    if (!f(static_cast<uint32_t>(off), pc, extra)) return;
  }
}

}  // namespace qemu::jit::x64
