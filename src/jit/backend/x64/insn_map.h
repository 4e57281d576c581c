// The map from host code offsets to guest instructions (insn_start's pc and extra word), kept
// compact: per insn_start, the host offset delta (unsigned LEB128), the pc delta (zigzag
// LEB128) and the extra word (unsigned LEB128), appended in code order.
#pragma once

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

// The last insn_start at or before host offset off; false when there is none.
bool insn_map_find(const std::vector<uint8_t> &map, uint32_t off, uint64_t *pc, uint64_t *extra);

}  // namespace qemu::jit::x64
