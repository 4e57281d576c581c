#include "jit/backend/x64/insn_map.h"

#include "jit/backend/x64/codegen.h"

namespace qemu::jit::x64 {

namespace {

void put(std::vector<uint8_t> &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

}  // namespace

namespace detail {

bool insn_map_get(const std::vector<uint8_t> &in, size_t &pos, uint64_t *v) {
  uint64_t r = 0;
  for (unsigned shift = 0; pos < in.size() && shift < 64; shift += 7) {
    uint8_t b = in[pos++];
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

}  // namespace detail

void InsnMapWriter::add(uint32_t off, uint64_t pc, uint64_t extra) {
  uint64_t delta = pc - last_pc_;
  uint64_t zigzag = (delta << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(delta) >> 63);
  put(out_, off - last_off_);
  put(out_, zigzag);
  put(out_, extra);
  last_off_ = off;
  last_pc_ = pc;
}

bool insn_map_find(const std::vector<uint8_t> &map, uint32_t off, uint64_t *pc, uint64_t *extra) {
  bool found = false;
  insn_map_walk(map, [&](uint32_t o, uint64_t p, uint64_t x) {
    if (o > off) return false;
    *pc = p;
    *extra = x;
    found = true;
    return true;
  });
  return found;
}

bool find_insn(const CompiledTb &tb, uintptr_t host_pc, uint64_t *insn_pc, uint64_t *insn_extra) {
  uintptr_t start = reinterpret_cast<uintptr_t>(tb.code);
  if (host_pc < start || host_pc >= start + tb.size) return false;
  return insn_map_find(tb.insn_map, static_cast<uint32_t>(host_pc - start), insn_pc, insn_extra);
}

size_t insn_starts(const CompiledTb &tb, uint32_t *offsets, uint64_t *pcs, uint64_t *extras,
                   size_t max) {
  size_t n = 0;
  insn_map_walk(tb.insn_map, [&](uint32_t o, uint64_t p, uint64_t x) {
    if (n < max) {
      offsets[n] = o;
      pcs[n] = p;
      extras[n] = x;
    }
    n++;
    return true;
  });
  return n;
}

}  // namespace qemu::jit::x64
